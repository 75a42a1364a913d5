import { SCOPES } from '../../lambdas/core/scopes';
import { type Answer, callApi, expectStatus } from '../local/api-call';
import type { Drill } from '../drill';
import { HeldFault } from '../injectors/held-fault';
import { LocalFaultInjector } from '../injectors/local';
import { faultEffective } from '../metrics';
import { type CheckContext, type DrillCheck, settled } from '../local/checks';
import { type LocalDrillContext, secondaryOf } from '../local/context';
import { DrillItems } from '../local/drill-items';
import { quiescenceProbe, waitForConvergence, waitForQuiescence } from '../local/quiescence';
import { standardTimings } from '../local/timings';

/** Reload-and-retry rounds for a split cancel answered 409 `conflict`. */
const CONFLICT_RETRIES = 3;

/** Positions in the catalog's first page of the products this drill takes (the load only buys the first). */
const STOCK_PRODUCT_INDEX = 5;
const CANCEL_PRODUCT_INDEX = 6;
const STOCK_UNITS = { primary: 2, secondary: 3 } as const;
const CANCEL_UNITS = 4;
/** Longest wait for both tables to compare equal after reconciliation. */
const CONVERGENCE_BOUND_MS = 30_000;

/** What the split did, each call's status (the scenario's own evidence, checked before any effect). */
interface SplitCalls {
  checkoutPrimary: number;
  checkoutSecondary: number;
  erasePrimary: number;
  updateSecondary: number;
  cancelPrimary: number;
  cancelSecondary: number;
}

/**
 * Prepared before the load (replicated to both regions), split during the fault, judged after the merge:
 * - stock: one product bought on both sides (2 units in the primary, 3 in the secondary);
 * - erasure: a customer erased in the primary and renamed in the secondary;
 * - cancel: one order cancelled on both sides.
 * Then reconciliation on the primary, and independent reads of both cells and both tables.
 */
class SplitScenario implements DrillCheck {
  // Each cell's API is called directly, not through the zone endpoint: during a split both take writes.
  private readonly items: DrillItems;
  private readonly primaryUrl: string;
  private readonly secondaryUrl: string;
  private tokens!: {
    buyerPrimary: string;
    buyerSecondary: string;
    person: string;
    canceller: string;
    admin: string;
  };
  private subjects!: { person: string };
  private products!: { stock: string; cancel: string };
  private carts!: { primary: string; secondary: string };
  private orderToCancel!: string;
  private stockBefore!: { stock: number; cancel: number };
  private personEmail!: string;
  private split: Promise<void> | undefined;
  private calls: SplitCalls | undefined;
  private failure: string | undefined;
  /** The split calls that did not succeed, with their problem code and detail (for the report). */
  private refusals: string[] = [];

  constructor(private readonly context: LocalDrillContext) {
    this.items = new DrillItems(context);
    const cellUrl = (region: string) => {
      const cell = context.topology.endpoints.cells.find(
        (c) => c.zone === context.zone.name && c.region === region,
      );
      if (!cell) throw new Error(`split-writes: no local cell ${context.zone.name}/${region}`);
      return cell.url;
    };
    this.primaryUrl = cellUrl(context.zone.primary.region);
    this.secondaryUrl = cellUrl(secondaryOf(context, 'split-writes').region);
  }

  private expect(answer: Promise<Answer>, status: number, what: string): Promise<Answer> {
    return expectStatus(answer, status, `split-writes: ${what}`);
  }

  private async cartOf(token: string, productId: string, quantity: number, key: string): Promise<string> {
    const cart = await this.expect(
      callApi(this.primaryUrl, 'POST', '/v1/carts', { token, key: `${key}-cart`, body: {} }),
      201,
      'cart create',
    );
    const id = cart.body.id as string;
    await this.expect(
      callApi(this.primaryUrl, 'POST', `/v1/carts/${id}/items`, {
        token,
        key: `${key}-line`,
        body: { productId, quantity },
      }),
      200,
      'add line',
    );
    return id;
  }

  private async stockIn(baseUrl: string, productId: string): Promise<number> {
    const product = await this.expect(
      callApi(baseUrl, 'GET', `/v1/products/${productId}`, { token: this.tokens.admin }),
      200,
      `read ${productId}`,
    );
    return product.body.stock as number;
  }

  /** Before the run: everything the split will touch exists in both regions. */
  async prepare(): Promise<void> {
    const { control, zone, runId } = this.context;
    const subject = (role: string) => `${runId}-${role}`;
    this.subjects = { person: subject('person') };
    this.tokens = {
      buyerPrimary: await control.token(subject('buyer-primary'), zone.name),
      buyerSecondary: await control.token(subject('buyer-secondary'), zone.name),
      person: await control.token(this.subjects.person, zone.name),
      canceller: await control.token(subject('canceller'), zone.name),
      admin: await control.token(subject('operator'), undefined, [SCOPES.adminReconcile]),
    };
    const page = await this.expect(
      callApi(this.primaryUrl, 'GET', '/v1/products?limit=10', { token: this.tokens.admin }),
      200,
      'catalog',
    );
    const ids = ((page.body.items as { id: string }[] | undefined) ?? []).map((p) => p.id);
    if (ids.length <= CANCEL_PRODUCT_INDEX)
      throw new Error(
        `split-writes: the catalog has ${ids.length} products; it needs ${CANCEL_PRODUCT_INDEX + 1}`,
      );
    this.products = { stock: ids[STOCK_PRODUCT_INDEX]!, cancel: ids[CANCEL_PRODUCT_INDEX]! };
    this.carts = {
      primary: await this.cartOf(
        this.tokens.buyerPrimary,
        this.products.stock,
        STOCK_UNITS.primary,
        `${runId}-primary`,
      ),
      secondary: await this.cartOf(
        this.tokens.buyerSecondary,
        this.products.stock,
        STOCK_UNITS.secondary,
        `${runId}-secondary`,
      ),
    };
    const cancelCart = await this.cartOf(
      this.tokens.canceller,
      this.products.cancel,
      CANCEL_UNITS,
      `${runId}-cancel`,
    );
    const placed = await this.expect(
      callApi(this.primaryUrl, 'POST', '/v1/checkout', {
        token: this.tokens.canceller,
        key: `${runId}-cancel-checkout`,
        body: { cartId: cancelCart },
      }),
      201,
      'checkout of the order to cancel',
    );
    this.orderToCancel = placed.body.id as string;
    this.personEmail = `${this.subjects.person}@example.com`;
    await this.expect(
      callApi(this.primaryUrl, 'POST', '/v1/customers', {
        token: this.tokens.person,
        key: `${runId}-person`,
        body: { email: this.personEmail, name: 'Split Person', country: 'US' },
      }),
      201,
      'customer create',
    );
    const quiescence = await waitForQuiescence(quiescenceProbe(this.context));
    if (!quiescence.quiesced)
      throw new Error(`split-writes: the prepared items did not replicate: ${quiescence.detail}`);
    this.stockBefore = {
      stock: await this.stockIn(this.primaryUrl, this.products.stock),
      cancel: await this.stockIn(this.primaryUrl, this.products.cancel),
    };
  }

  /** Settles once both sides were written (or the attempt failed): the pause is held until then. */
  splitFinished(): Promise<void> {
    return this.split ?? Promise.resolve();
  }

  async onSecond(_second: number, phase: string): Promise<void> {
    if (phase !== 'fault') return;
    this.split ??= this.writeBothSides().catch((error: Error) => {
      this.failure = error.message;
    });
  }

  /**
   * A cancel as a client makes it: a 409 `conflict` ("order changed; reload it": a concurrent write to the
   * order or its stock moved a version between the cell's read and its transaction) is reloaded and retried,
   * a few times, each retry a new intent with its own key.
   */
  private async cancelAsAClientWould(baseUrl: string, key: string): Promise<Answer> {
    const path = `/v1/orders/${this.orderToCancel}/cancel`;
    let answer = await callApi(baseUrl, 'POST', path, { token: this.tokens.canceller, key });
    for (
      let retry = 1;
      retry <= CONFLICT_RETRIES && answer.status === 409 && answer.body.code === 'conflict';
      retry++
    ) {
      answer = await callApi(baseUrl, 'POST', path, {
        token: this.tokens.canceller,
        key: `${key}-reload-${retry}`,
      });
    }
    return answer;
  }

  /** Replication is paused: each cell takes its writes without seeing the other's. */
  private async writeBothSides(): Promise<void> {
    const { runId } = this.context;
    const t = this.tokens;
    const person = this.subjects.person;
    const checkoutPrimary = await callApi(this.primaryUrl, 'POST', '/v1/checkout', {
      token: t.buyerPrimary,
      key: `${runId}-split-primary`,
      body: { cartId: this.carts.primary },
    });
    const checkoutSecondary = await callApi(this.secondaryUrl, 'POST', '/v1/checkout', {
      token: t.buyerSecondary,
      key: `${runId}-split-secondary`,
      body: { cartId: this.carts.secondary },
    });
    const erasePrimary = await callApi(this.primaryUrl, 'DELETE', `/v1/customers/${person}`, {
      token: t.person,
      key: `${runId}-erase`,
    });
    const updateSecondary = await callApi(this.secondaryUrl, 'PATCH', `/v1/customers/${person}`, {
      token: t.person,
      key: `${runId}-rename`,
      body: { name: 'Split Person Renamed' },
    });
    const cancelPrimary = await this.cancelAsAClientWould(this.primaryUrl, `${runId}-cancel-primary`);
    const cancelSecondary = await this.cancelAsAClientWould(this.secondaryUrl, `${runId}-cancel-secondary`);
    this.calls = {
      checkoutPrimary: checkoutPrimary.status,
      checkoutSecondary: checkoutSecondary.status,
      erasePrimary: erasePrimary.status,
      updateSecondary: updateSecondary.status,
      cancelPrimary: cancelPrimary.status,
      cancelSecondary: cancelSecondary.status,
    };
    const refusals = Object.entries({
      checkoutPrimary,
      checkoutSecondary,
      erasePrimary,
      updateSecondary,
      cancelPrimary,
      cancelSecondary,
    })
      .filter(([, answer]) => answer.status >= 300)
      .map(
        ([name, answer]) =>
          `${name}: ${answer.status} ${String(answer.body.code ?? '')} ${String(answer.body.detail ?? '')}`,
      );
    this.refusals = refusals;
    this.context.log(
      `split-writes: both sides written: ${JSON.stringify(this.calls)}${refusals.length ? `; refused: ${refusals.join('; ')}` : ''}`,
    );
  }

  async verify(check: CheckContext) {
    await this.split;
    const calls = this.calls;
    const splitDone =
      calls !== undefined &&
      calls.checkoutPrimary === 201 &&
      calls.checkoutSecondary === 201 &&
      calls.erasePrimary === 200 &&
      calls.updateSecondary === 200 &&
      calls.cancelPrimary === 200 &&
      calls.cancelSecondary === 200;
    // Reconciliation on the writer, once the regions merged (the verifier waited for quiescence).
    const reconciliation = await callApi(this.primaryUrl, 'POST', '/v1/admin/reconciliation', {
      token: this.tokens.admin,
      key: `${this.context.runId}-reconcile`,
    });
    const report = reconciliation.body as {
      stockCorrected?: unknown[];
      reErased?: string[];
      needsAPerson?: unknown[];
    };
    // Its corrections are written in the primary: wait for them to reach the secondary too.
    const after = await waitForQuiescence(quiescenceProbe(this.context));
    const expectedStock = this.stockBefore.stock - STOCK_UNITS.primary - STOCK_UNITS.secondary;
    const expectedCancel = this.stockBefore.cancel + CANCEL_UNITS;
    const regions = [
      { region: this.context.zone.primary.region, url: this.primaryUrl },
      { region: secondaryOf(this.context, 'split-writes').region, url: this.secondaryUrl },
    ];
    const perRegion = await Promise.all(
      regions.map(async ({ region, url }) => ({
        region,
        stock: await this.stockIn(url, this.products.stock),
        cancel: await this.stockIn(url, this.products.cancel),
        order: (
          await callApi(url, 'GET', `/v1/orders/${this.orderToCancel}`, { token: this.tokens.canceller })
        ).body.status,
        person: (
          await callApi(url, 'GET', `/v1/customers/${this.subjects.person}`, { token: this.tokens.person })
        ).status,
        personalData: await this.items.tableContains(region, [this.personEmail, 'Split Person']),
      })),
    );
    const describe = (pick: (r: (typeof perRegion)[number]) => unknown) =>
      perRegion.map((r) => `${r.region}: ${String(pick(r))}`).join(', ');
    const quiescence = after.quiesced ? after : check.quiescence;
    // The digest: both tables item by item (the load has stopped; waited for with a bound, never a fixed delay).
    const converged = await waitForConvergence(this.context, CONVERGENCE_BOUND_MS);
    return {
      figures: {
        splitStockCorrected: report.stockCorrected?.length ?? null,
        splitReErased: report.reErased?.length ?? null,
        splitNeedsAPerson: report.needsAPerson?.length ?? null,
      },
      criteria: [
        faultEffective(
          'both cells took the split writes (fault effective)',
          splitDone,
          this.failure ??
            `calls ${JSON.stringify(calls ?? 'not made')}${this.refusals.length ? `; ${this.refusals.join('; ')}` : ''}`,
        ),
        {
          name: 'reconciliation ran on the writer, nothing left for a person',
          ok: reconciliation.status === 200 && (report.needsAPerson?.length ?? 0) === 0,
          detail: `${reconciliation.status}; ${JSON.stringify(report)}`,
        },
        settled(
          {
            name: `stock decrements of both sides all count (${this.stockBefore.stock} - ${STOCK_UNITS.primary} - ${STOCK_UNITS.secondary} = ${expectedStock} in both regions)`,
            ok: perRegion.every((r) => r.stock === expectedStock),
            detail: describe((r) => r.stock),
          },
          after,
        ),
        settled(
          {
            name: `an order cancelled on both sides is cancelled once (stock ${expectedCancel} in both regions)`,
            ok: perRegion.every((r) => r.cancel === expectedCancel && r.order === 'cancelled'),
            detail: describe((r) => `stock ${r.cancel}, order ${r.order}`),
          },
          after,
        ),
        settled(
          {
            name: 'an erasure stays erased: 404 in both cells, no personal data in either table',
            ok: perRegion.every((r) => r.person === 404 && !r.personalData),
            detail: describe((r) => `GET ${r.person}, personal data ${r.personalData ? 'FOUND' : 'none'}`),
          },
          after,
        ),
        {
          name: 'the regions converged after reconciliation (both tables equal, item by item)',
          ok: quiescence.quiesced && converged.converged,
          ...(quiescence.quiesced && converged.converged ? {} : { inconclusive: true }),
          detail: `${quiescence.detail}; ${converged.items} items, ${converged.differing} differing${converged.sample.length ? ` (${converged.sample.join(', ')})` : ''}`,
        },
      ],
    };
  }
}

export const splitWrites: Drill = {
  definition: {
    name: 'split-writes',
    title: 'Both cells of a zone take writes to the same items while replication is paused (split brain)',
    hypothesis:
      'When both cells take writes to the same items during a split (the same product bought on both sides, a customer erased on one side and renamed on the other, one order cancelled on both sides), the regions converge after replication resumes, and reconciliation leaves every decrement counted, the order cancelled once, and the customer erased everywhere.',
    fault:
      'split brain: replication paused while both cells take writes (fenced zone: the primary cut from ARC fails static while the secondary is promoted; local: SIMULATED, cells called directly)',
    recovery: 'hold',
    warmupSeconds: 30,
    faultSeconds: 60,
    settleSeconds: 60,
    expectations: [
      'stock = before - units bought on both sides, in both regions, after reconciliation',
      'the order cancelled on both sides: status cancelled, its units released once',
      'the erased customer: 404 in both cells, no personal data in either table',
      'regions converged (barriers crossed, pending 0, tables equal)',
    ],
  },
  local: async (context) => {
    const scenario = new SplitScenario(context);
    await scenario.prepare();
    return {
      // The pause lasts until both sides were written, however long the host takes (injectors/held-fault.ts).
      injectors: [
        new HeldFault(
          new LocalFaultInjector(context.control, { kind: 'split-brain', zone: context.zone.name }),
          () => scenario.splitFinished(),
        ),
      ],
      timings: standardTimings(context, splitWrites.definition),
      checks: [scenario],
      notes: [
        "SIMULATED: last writer wins is decided by the moment the local replicator reads a write from its stream, not by DynamoDB's internal write timestamp; which side of the split wins an item can differ from AWS, the invariants checked here must hold either way.",
        'A fenced zone splits only when both cells believe they are the writer: here, as in the cloud, the primary loses its route to ARC and keeps writing on its last known state (fail static, up to 60 s) while the secondary is promoted. SIMULATED: the partition and the promotion are control calls. Unfenced, both cells simply take writes.',
      ],
    };
  },
};
