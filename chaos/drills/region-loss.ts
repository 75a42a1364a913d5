import { SCOPES } from '../../lambdas/core/scopes';
import type { Drill } from '../drill';
import { LocalFaultInjector } from '../injectors/local';
import { faultEffective, RTO_TOLERANCE_SECONDS } from '../metrics';
import type { Phase } from '../orchestrator';
import { type Answer, callApi, expectStatus } from '../local/api-call';
import { type CheckContext, type DrillCheck, settled } from '../local/checks';
import { cellName, type LocalDrillContext, secondaryOf } from '../local/context';
import { duplicateOrders, heldAuthorizations, listCustomerOrders } from '../local/customer-orders';
import { mapLimited } from '../local/drill-items';
import { AcknowledgedOrders } from '../local/orders';
import { quiescenceProbe, waitForConvergence, waitForQuiescence } from '../local/quiescence';
import { standardTimings } from '../local/timings';
import { eventsInFlight, registerDrillEndpoint, webhookIdsPerOrder } from '../local/webhook-endpoint';

/**
 * Replication delay held from the start of the run to the loss: a global table typically replicates
 * within about a second, and this stand-in within tens of milliseconds; at its own pace the loss would
 * catch next to nothing in flight, and the RPO the drill measures would flatter asynchronous replication.
 */
const LAG_BEFORE_LOSS_MS = 1000;
/** Shoppers of the drill's own (each an intent: cart, line, checkout, every call with its own key). */
const INTENT_LANES = 2;
/** Pause between one lane's intents: bounded work beside the shopper load. */
const INTENT_PAUSE_MS = 200;
/** At most this many intents in one run (each buys one unit of the drill's product). */
const MAX_INTENTS = 400;
/** The drill's intents stop this long after failback, so a few are answered by the returned primary. */
const INTENTS_AFTER_FAILBACK_MS = 3000;
/** Position in the catalog's first page of the product the intents buy (the load buys the first). */
const PRODUCT_INDEX = 7;
/**
 * Checkouts the primary commits just before the loss whose answers the shopper never gets (the connection
 * drops with the region): retried with the same key on the survivor after promotion. Fired this long before
 * the cut, well inside the lag held before it, so their writes are still in flight when the region is lost.
 */
const LOST_ANSWER_CHECKOUTS = 3;
const LOST_ANSWER_LEAD_MS = 300;
/** Longest wait for both tables to compare equal after reconciliation. */
const CONVERGENCE_BOUND_MS = 30_000;
/** Longest wait for every order's order.v1.placed at the drill's webhook endpoint (a retry lands 5 s later). */
const DELIVERY_BOUND_MS = 30_000;

interface Acked {
  readonly atMs: number;
  readonly servedBy: string | undefined;
}

/** One shopper intent of the drill: cart, line, checkout, each retried with its own key. */
interface Intent {
  readonly key: string;
  cartId?: string;
  cart?: Acked;
  line?: Acked;
  order?: Acked & { readonly id: string };
  /** Attempts the checkout took (more than 1: retried, possibly across the failover). */
  checkoutAttempts?: number;
  /** The call that did not succeed, when one did not. */
  refused?: string;
  /** A lost-answer checkout's retry on the survivor after promotion (same key). */
  retry?: { readonly status: number; readonly orderId: string | undefined; readonly withheld: boolean };
}

/** An acknowledged write of the lost region that the survivor did not hold at promotion. */
interface Withheld {
  readonly intent: Intent;
  readonly what: 'order' | 'line' | 'cart';
  /** Milliseconds between its acknowledgement and the cut (0 when acknowledged after it). */
  readonly ageAtCutMs: number;
}

/**
 * The drill's own shoppers, the RPO snapshot at promotion, and the judgement after failback and
 * reconciliation. Each intent's effects are read back from both cells and the payment provider.
 */
class RegionLossScenario implements DrillCheck {
  private readonly primaryUrl: string;
  private readonly secondaryUrl: string;
  private readonly primaryCell: string;
  private readonly survivorCell: string;
  private readonly stopIntents = new AbortController();
  private readonly intents: Intent[] = [];
  private lanes: Promise<void>[] = [];
  private buyer!: string;
  private admin!: string;
  private productId!: string;
  private stockBefore!: number;
  /** Taken once, at promotion (the first second the survivor serves), while the cut still holds. */
  private snapshot: { withheld: Withheld[]; replicatorWithheld: number | null } | undefined;
  private failbackAtMs: number | undefined;
  /** Carts ready in both regions for the lost-answer checkouts (LOST_ANSWER_CHECKOUTS). */
  private readonly lostAnswers: Intent[] = [];
  private lostAnswersFired = false;
  /** The drill's webhook endpoint on the sink (order.v1.placed): the consumer's view of each order's event. */
  private webhookPath!: string;
  /** The runbook's step after promotion: relay-foreign-events on the survivor (its result, or why it failed). */
  private takeover:
    | { relayed: number; examined: number; deliveries: number; failed: number }
    | { error: string }
    | undefined;

  constructor(
    private readonly context: LocalDrillContext,
    /** When the orchestrator injects the fault (drill clock). */
    private readonly warmupMs: number,
  ) {
    const cellUrl = (region: string) => {
      const cell = context.topology.endpoints.cells.find(
        (c) => c.zone === context.zone.name && c.region === region,
      );
      if (!cell) throw new Error(`region-loss: no local cell ${context.zone.name}/${region}`);
      return cell.url;
    };
    this.primaryUrl = cellUrl(context.zone.primary.region);
    this.secondaryUrl = cellUrl(secondaryOf(context, 'region-loss').region);
    this.primaryCell = cellName(context.zone.primary);
    this.survivorCell = cellName(secondaryOf(context, 'region-loss'));
  }

  private get replicationPath() {
    return `/replication/${encodeURIComponent(this.context.zone.name)}`;
  }

  async prepare(): Promise<void> {
    const { control, zone, runId } = this.context;
    this.buyer = await control.token(`${runId}-buyer`, zone.name);
    this.admin = await control.token(`${runId}-operator`, undefined, [SCOPES.adminReconcile]);
    const page = await expectStatus(
      callApi(this.primaryUrl, 'GET', '/v1/products?limit=10', { token: this.admin }),
      200,
      'region-loss: catalog',
    );
    const ids = ((page.body.items as { id: string }[] | undefined) ?? []).map((p) => p.id);
    if (ids.length <= PRODUCT_INDEX)
      throw new Error(`region-loss: the catalog has ${ids.length} products; it needs ${PRODUCT_INDEX + 1}`);
    this.productId = ids[PRODUCT_INDEX]!;
    // Registered before the wait below, so the endpoint is in both regions before the loss.
    this.webhookPath = await registerDrillEndpoint(this.context, this.primaryUrl);
    for (let n = 0; n < LOST_ANSWER_CHECKOUTS; n++) {
      const intent: Intent = { key: `${runId}-lost-${n}` };
      const cart = await expectStatus(
        callApi(this.primaryUrl, 'POST', '/v1/carts', {
          token: this.buyer,
          key: `${intent.key}-cart`,
          body: {},
        }),
        201,
        'region-loss: cart of a lost-answer checkout',
      );
      intent.cartId = cart.body.id as string;
      intent.cart = { atMs: Date.now(), servedBy: cart.servedBy };
      const line = await expectStatus(
        callApi(this.primaryUrl, 'POST', `/v1/carts/${intent.cartId}/items`, {
          token: this.buyer,
          key: `${intent.key}-line`,
          body: { productId: this.productId, quantity: 1 },
        }),
        200,
        'region-loss: line of a lost-answer checkout',
      );
      intent.line = { atMs: Date.now(), servedBy: line.servedBy };
      this.lostAnswers.push(intent);
      this.intents.push(intent);
    }
    // The lost-answer carts must be in the survivor before the loss: their retries find them there.
    const quiescence = await waitForQuiescence(quiescenceProbe(this.context));
    if (!quiescence.quiesced)
      throw new Error(`region-loss: the prepared carts did not replicate: ${quiescence.detail}`);
    this.stockBefore = await this.stockIn(this.primaryUrl);
    await control.post(`${this.replicationPath}/lag`, { ms: LAG_BEFORE_LOSS_MS });
  }

  /**
   * In the last steady second: the lost-answer checkouts commit on the primary LOST_ANSWER_LEAD_MS before
   * the fault, and this returns once the fault is due, so the orchestrator cuts right after (it awaits this).
   */
  private async commitLostAnswers(): Promise<void> {
    this.lostAnswersFired = true;
    const sleepUntil = async (elapsedMs: number) => {
      const wait = elapsedMs - this.context.elapsedMs();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    };
    await sleepUntil(this.warmupMs - LOST_ANSWER_LEAD_MS);
    await Promise.all(
      this.lostAnswers.map(async (intent) => {
        const checkout = await callApi(this.primaryUrl, 'POST', '/v1/checkout', {
          token: this.buyer,
          key: `${intent.key}-checkout`,
          body: { cartId: intent.cartId },
        });
        intent.checkoutAttempts = checkout.attempts;
        if (checkout.status === 201)
          intent.order = { atMs: Date.now(), servedBy: checkout.servedBy, id: checkout.body.id as string };
        else intent.refused = `lost-answer checkout ${checkout.status} ${String(checkout.body.code ?? '')}`;
      }),
    );
    await sleepUntil(this.warmupMs);
  }

  /** After promotion: the shopper who never got the answer sends the same checkout again, same key. */
  private async retryLostAnswers(withheld: readonly Withheld[]): Promise<void> {
    await Promise.all(
      this.lostAnswers
        .filter((intent) => intent.order)
        .map(async (intent) => {
          const retry = await callApi(this.context.baseUrl, 'POST', '/v1/checkout', {
            token: this.buyer,
            key: `${intent.key}-checkout`,
            body: { cartId: intent.cartId },
          });
          intent.retry = {
            status: retry.status,
            orderId: retry.body.id as string | undefined,
            withheld: withheld.some((w) => w.intent === intent),
          };
        }),
    );
  }

  /**
   * The runbook's step after a promotion (runbooks/unplanned-region-failover.md): the survivor relays the
   * events the lost region committed, that replicated, and that its relay (stopped with the region) never
   * published. The window covers the whole run.
   */
  private async relayWhatTheLostRegionLeft(): Promise<void> {
    const survivor = secondaryOf(this.context, 'region-loss');
    const windowMinutes = Math.min(1440, Math.ceil(this.context.elapsedMs() / 60_000) + 2);
    try {
      const result = await this.context.control.relayForeignEvents(
        survivor.zone,
        survivor.region,
        windowMinutes,
      );
      this.takeover = {
        relayed: result.relayed,
        examined: result.examined,
        deliveries: result.deliveriesEnqueued,
        failed: result.failedEventIds.length,
      };
      this.context.log(
        `region-loss: relay-foreign-events on ${this.survivorCell}: ${result.relayed} of ${result.examined} events of the last ${windowMinutes} min relayed, ${result.deliveriesEnqueued} webhook deliveries no cell had made`,
      );
    } catch (error) {
      this.takeover = { error: (error as Error).message };
    }
  }

  /** Each order's order.v1.placed as the consumer took it, waited for with a bound. */
  private async eventsOf(orderIds: readonly string[]) {
    const end = Date.now() + DELIVERY_BOUND_MS;
    let perOrder = webhookIdsPerOrder(this.context, this.webhookPath);
    while (orderIds.some((id) => !perOrder.has(id)) && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      perOrder = webhookIdsPerOrder(this.context, this.webhookPath);
    }
    const missing = orderIds.filter((id) => !perOrder.has(id));
    const several = orderIds.filter((id) => (perOrder.get(id)?.size ?? 0) > 1);
    const inFlight = eventsInFlight(this.context);
    const late = missing.length > 0 && (inFlight.queued > 0 || inFlight.relaysRetrying > 0);
    return { missing, several, late, inFlight };
  }

  private async stockIn(baseUrl: string): Promise<number> {
    const product = await expectStatus(
      callApi(baseUrl, 'GET', `/v1/products/${this.productId}`, { token: this.admin }),
      200,
      `region-loss: read ${this.productId}`,
    );
    return product.body.stock as number;
  }

  async onSecond(_second: number, phase: Phase): Promise<void> {
    if (this.lanes.length === 0) {
      this.lanes = Array.from({ length: INTENT_LANES }, () => this.lane());
    }
    if (phase === 'steady' && !this.lostAnswersFired && this.context.elapsedMs() >= this.warmupMs - 1000)
      await this.commitLostAnswers();
    // Awaited: the orchestrator restores the region only after this returns, so the cut holds throughout.
    if (phase === 'recovered' && !this.snapshot) await this.takeSnapshot();
    if (phase === 'failback') {
      this.failbackAtMs ??= Date.now();
      if (Date.now() - this.failbackAtMs >= INTENTS_AFTER_FAILBACK_MS) this.stopIntents.abort();
    }
  }

  private async lane(): Promise<void> {
    while (!this.stopIntents.signal.aborted && this.intents.length < MAX_INTENTS) {
      await this.runIntent();
      await new Promise((resolve) => setTimeout(resolve, INTENT_PAUSE_MS));
    }
  }

  /** Through the zone endpoint, as a shopper: whichever cell the edge routes to answers. */
  private async runIntent(): Promise<void> {
    const intent: Intent = { key: `${this.context.runId}-i${this.intents.length}` };
    this.intents.push(intent);
    const base = this.context.baseUrl;
    const options = { token: this.buyer, signal: this.stopIntents.signal };
    const acked = (answer: Answer): Acked => ({ atMs: Date.now(), servedBy: answer.servedBy });
    const refusal = (what: string, answer: Answer) =>
      `${what} ${answer.status} ${String(answer.body.code ?? '')}`.trim();

    const cart = await callApi(base, 'POST', '/v1/carts', {
      ...options,
      key: `${intent.key}-cart`,
      body: {},
    });
    if (cart.status !== 201) {
      intent.refused = refusal('cart', cart);
      return;
    }
    intent.cart = acked(cart);
    intent.cartId = cart.body.id as string;
    const line = await callApi(base, 'POST', `/v1/carts/${intent.cartId}/items`, {
      ...options,
      key: `${intent.key}-line`,
      body: { productId: this.productId, quantity: 1 },
    });
    if (line.status !== 200) {
      intent.refused = refusal('line', line);
      return;
    }
    intent.line = acked(line);
    const checkout = await callApi(base, 'POST', '/v1/checkout', {
      ...options,
      key: `${intent.key}-checkout`,
      body: { cartId: intent.cartId },
    });
    intent.checkoutAttempts = checkout.attempts;
    if (checkout.status !== 201) {
      intent.refused = refusal('checkout', checkout);
      return;
    }
    intent.order = { ...acked(checkout), id: checkout.body.id as string };
  }

  /** What the survivor holds of each intent's last write acknowledged by the lost region. */
  private async takeSnapshot(): Promise<void> {
    const takenAtMs = Date.now();
    const state = await this.context.control.state();
    const loss = state.replication[this.context.zone.name]?.regionLoss;
    // The cut holds (nothing crosses): the lag setting no longer matters, and the failback should not wait on it.
    await this.context.control.post(`${this.replicationPath}/lag`, { ms: 0 });
    const cutAtMs = loss?.cutAtMs ?? takenAtMs;
    const byLost = (a: Acked | undefined) => a !== undefined && a.servedBy === this.primaryCell;
    const candidates = this.intents.flatMap(
      (intent): { intent: Intent; what: Withheld['what']; at: Acked }[] => {
        if (byLost(intent.order)) return [{ intent, what: 'order', at: intent.order! }];
        if (intent.order) return [];
        if (byLost(intent.line)) return [{ intent, what: 'line', at: intent.line! }];
        if (intent.line) return [];
        if (byLost(intent.cart)) return [{ intent, what: 'cart', at: intent.cart! }];
        return [];
      },
    );
    const visible = await mapLimited(candidates, 8, (c) => this.holds(this.secondaryUrl, c.intent, c.what));
    const withheld = candidates
      .filter((_, i) => !visible[i])
      .map((c) => ({ intent: c.intent, what: c.what, ageAtCutMs: Math.max(0, cutAtMs - c.at.atMs) }));
    this.snapshot = {
      withheld,
      replicatorWithheld: loss?.withheldFromLostRegion ?? null,
    };
    await this.retryLostAnswers(withheld);
    await this.relayWhatTheLostRegionLeft();
    this.context.log(
      `region-loss: at promotion ${withheld.length} of ${candidates.length} writes acknowledged by ${this.primaryCell} are not in the survivor (oldest ${Math.max(0, ...withheld.map((w) => w.ageAtCutMs))} ms before the cut); the replicator withholds ${loss?.withheldFromLostRegion ?? 'n/a'}`,
    );
  }

  /** Whether the cell at `baseUrl` holds the intent's write (`what`), read with the shopper's token. */
  private async holds(baseUrl: string, intent: Intent, what: Withheld['what']): Promise<boolean> {
    if (what === 'order') {
      const order = await callApi(baseUrl, 'GET', `/v1/orders/${intent.order!.id}`, { token: this.buyer });
      return order.status === 200;
    }
    const cart = await callApi(baseUrl, 'GET', `/v1/carts/${intent.cartId}`, { token: this.buyer });
    if (cart.status !== 200) return false;
    if (what === 'cart') return true;
    const lines = (cart.body.lines as { productId: string }[] | undefined) ?? [];
    return lines.some((l) => l.productId === this.productId);
  }

  async verify(_check: CheckContext) {
    this.stopIntents.abort();
    await Promise.all(this.lanes);
    // The verifier's wait ran while the intents still wrote: wait again, then reconcile on the writer.
    const before = await waitForQuiescence(quiescenceProbe(this.context));
    const reconciliation = await callApi(this.primaryUrl, 'POST', '/v1/admin/reconciliation', {
      token: this.admin,
      key: `${this.context.runId}-reconcile`,
    });
    const report = reconciliation.body as { stockCorrected?: unknown[]; needsAPerson?: unknown[] };
    const after = await waitForQuiescence(quiescenceProbe(this.context));
    const quiescence = before.quiesced ? after : before;

    const placed = this.intents.filter((i) => i.order);
    const cells = [
      { region: this.context.zone.primary.region, url: this.primaryUrl },
      { region: secondaryOf(this.context, 'region-loss').region, url: this.secondaryUrl },
    ];
    const missingIn = async (url: string, items: readonly { intent: Intent; what: Withheld['what'] }[]) => {
      const held = await mapLimited(items, 8, (w) => this.holds(url, w.intent, w.what));
      return items.filter((_, i) => !held[i]);
    };
    const lostOrders = await Promise.all(
      cells.map(async ({ region, url }) => ({
        region,
        missing: await missingIn(
          url,
          placed.map((intent) => ({ intent, what: 'order' as const })),
        ),
      })),
    );
    const withheld = this.snapshot?.withheld ?? [];
    const withheldMissing = await Promise.all(cells.map(({ url }) => missingIn(url, withheld)));
    const stock = await Promise.all(cells.map(({ url }) => this.stockIn(url)));
    const orders = (await listCustomerOrders(this.context, `Bearer ${this.buyer}`)) ?? [];
    const intentOf = new Map(this.intents.flatMap((i) => (i.cartId ? [[i.cartId, i] as const] : [])));
    const duplicates = duplicateOrders(orders);
    const withoutAnswer = orders.filter((o) => !intentOf.get(o.cartId)?.order).length;
    const { held, ordersNamingOne } = heldAuthorizations(this.context, orders);
    const events = await this.eventsOf(orders.map((o) => o.id));
    const converged = await waitForConvergence(this.context, CONVERGENCE_BOUND_MS);
    const secondaryRegion = cells[1]!.region;
    const retried = placed.filter((i) => (i.checkoutAttempts ?? 1) > 1).length;
    const lostAnswerRetries = this.lostAnswers.filter((i) => i.retry);
    const retriedAcrossTheLoss = lostAnswerRetries.filter((i) => i.retry!.withheld).length;
    const servedBySurvivor = this.intents.filter((i) =>
      [i.cart, i.line, i.order].some((a) => a?.servedBy === this.survivorCell),
    ).length;
    const oldest = withheld.length > 0 ? Math.max(...withheld.map((w) => w.ageAtCutMs)) : null;
    const expectedStock = this.stockBefore - orders.length;
    const refusals = this.intents.flatMap((i) => (i.refused ? [i.refused] : []));
    const describeRefusals = () => {
      const counts = new Map<string, number>();
      for (const r of refusals) counts.set(r, (counts.get(r) ?? 0) + 1);
      return [...counts].map(([r, n]) => `${n}x ${r}`).join(', ');
    };

    return {
      figures: {
        regionLossIntents: this.intents.length,
        regionLossOrdersAcknowledged: placed.length,
        regionLossRetriedCheckouts: retried,
        regionLossRetriedAcrossTheLoss: retriedAcrossTheLoss,
        regionLossRpoWrites: this.snapshot ? withheld.length : null,
        regionLossRpoOldestMs: oldest,
        regionLossReplicatorWithheld: this.snapshot?.replicatorWithheld ?? null,
        regionLossBackAfterFailback: this.snapshot
          ? withheld.length - Math.max(...withheldMissing.map((m) => m.length))
          : null,
        regionLossLostAfterFailback: Math.max(...lostOrders.map((l) => l.missing.length)),
        regionLossDuplicateOrders: duplicates,
        regionLossOrdersWithoutAnswer: withoutAnswer,
        regionLossAuthorizationsHeld: held,
        regionLossStockCorrected: report.stockCorrected?.length ?? null,
        regionLossEventsRelayedBySurvivor:
          this.takeover && 'relayed' in this.takeover ? this.takeover.relayed : null,
        regionLossDeliveriesMadeByTakeover:
          this.takeover && 'deliveries' in this.takeover ? this.takeover.deliveries : null,
        regionLossOrdersWithoutEvent: events.missing.length,
        regionLossOrdersWithSeveralEventIds: events.several.length,
      },
      criteria: [
        faultEffective(
          'the loss withheld acknowledged writes and the survivor took writes (fault effective)',
          withheld.length > 0 && servedBySurvivor > 0,
          this.snapshot
            ? `${withheld.length} writes withheld at promotion; ${servedBySurvivor} intents answered by ${secondaryRegion}`
            : `no snapshot: traffic never recovered on ${secondaryRegion} while the region was lost`,
        ),
        {
          name: 'RPO measured at promotion: acknowledged writes of the lost region missing in the survivor',
          ok: this.snapshot !== undefined,
          ...(this.snapshot ? {} : { inconclusive: true }),
          detail: this.snapshot
            ? `${withheld.length} writes (${withheld.map((w) => w.what).join(', ') || 'none'}), the oldest acknowledged ${oldest ?? 0} ms before the cut, with ${LAG_BEFORE_LOSS_MS} ms of replication lag held before it; the replicator withheld ${this.snapshot.replicatorWithheld ?? 'n/a'} writes of the lost region`
            : 'not measured',
        },
        settled(
          {
            name: 'every write withheld at the loss is back in both regions after failback',
            ok: withheldMissing.every((m) => m.length === 0),
            detail: cells
              .map(
                ({ region }, i) =>
                  `${region}: ${withheld.length - withheldMissing[i]!.length}/${withheld.length}`,
              )
              .join(', '),
          },
          quiescence,
        ),
        settled(
          {
            name: '0 acknowledged orders lost after failback (each readable in both cells)',
            ok: lostOrders.every((l) => l.missing.length === 0),
            detail: lostOrders
              .map(
                (l) =>
                  `${l.region}: ${placed.length - l.missing.length}/${placed.length}${
                    l.missing.length
                      ? ` (missing ${l.missing
                          .slice(0, 3)
                          .map((m) => m.intent.order!.id)
                          .join(', ')})`
                      : ''
                  }`,
              )
              .join('; '),
          },
          quiescence,
        ),
        {
          name: 'a checkout the lost region committed, retried on the survivor with its key, answers the same order',
          ok:
            lostAnswerRetries.length > 0 &&
            lostAnswerRetries.every((i) => i.retry!.status === 201 && i.retry!.orderId === i.order!.id),
          ...(lostAnswerRetries.length > 0 ? {} : { inconclusive: true }),
          detail:
            lostAnswerRetries.length > 0
              ? lostAnswerRetries
                  .map(
                    (i) =>
                      `${i.order!.id}: retry ${i.retry!.status} ${i.retry!.orderId ?? ''} (${i.retry!.withheld ? 'withheld from the survivor at the time' : 'already replicated'})`,
                  )
                  .join('; ')
              : `no lost-answer checkout was committed before the loss: ${this.lostAnswers.map((i) => i.refused ?? 'not fired').join('; ')}`,
        },
        {
          name: 'exactly one order per intent and one held payment authorization per order, across failover and failback',
          ok: duplicates === 0 && held === orders.length && ordersNamingOne === orders.length,
          detail: `${orders.length} orders listed for ${placed.length} acknowledged checkouts (${retried} retried with their key, ${withoutAnswer} placed without a final answer to the client), ${duplicates} duplicates; ${held} authorizations held, ${ordersNamingOne} orders name a held one${refusals.length ? `; refused: ${describeRefusals()}` : ''}`,
        },
        {
          name: "every order has its order.v1.placed at the consumer, one webhook-id each (the lost region's unrelayed events relayed by the survivor or at its return)",
          ok:
            orders.length > 0 &&
            events.missing.length === 0 &&
            events.several.length === 0 &&
            this.takeover !== undefined &&
            !('error' in this.takeover),
          ...(events.late && events.several.length === 0 ? { inconclusive: true } : {}),
          detail: `${orders.length - events.missing.length}/${orders.length} orders delivered${events.missing.length ? ` (missing ${events.missing.slice(0, 3).join(', ')}${events.late ? `; after ${DELIVERY_BOUND_MS / 1000} s ${events.inFlight.queued} deliveries still queued, ${events.inFlight.relaysRetrying} relays retrying` : ''})` : ''}; ${events.several.length} with several webhook-ids${events.several.length ? ` (${events.several.slice(0, 3).join(', ')})` : ''}; relay-foreign-events on the survivor: ${this.takeover === undefined ? 'not run (no promotion seen)' : 'error' in this.takeover ? `failed: ${this.takeover.error}` : `${this.takeover.relayed} of ${this.takeover.examined} events relayed (${this.takeover.deliveries} webhook deliveries no cell had made), ${this.takeover.failed} failed`}`,
        },
        settled(
          {
            name: `every unit sold counts once (${this.stockBefore} - ${orders.length} orders = ${expectedStock} in both regions)`,
            ok: stock.every((s) => s === expectedStock),
            detail: cells.map(({ region }, i) => `${region}: ${stock[i]}`).join(', '),
          },
          quiescence,
        ),
        {
          name: 'reconciliation ran on the writer after failback, nothing left for a person',
          ok: reconciliation.status === 200 && (report.needsAPerson?.length ?? 0) === 0,
          detail: `${reconciliation.status}; ${JSON.stringify(report)}`,
        },
        {
          name: 'the regions converged (both tables equal, item by item)',
          ok: quiescence.quiesced && converged.converged,
          ...(quiescence.quiesced && converged.converged ? {} : { inconclusive: true }),
          detail: `${quiescence.detail}; ${converged.items} items, ${converged.differing} differing${converged.sample.length ? ` (${converged.sample.join(', ')})` : ''}`,
        },
      ],
    };
  }
}

export const regionLoss: Drill = {
  definition: {
    name: 'region-loss',
    title: "The zone's primary region lost: promotion, retries across the split, failback, reconciliation",
    hypothesis: `When the primary region is lost (its cell gone, replication cut at that instant), the secondary is promoted within the predicted RTO plus ${RTO_TOLERANCE_SECONDS} s; the writes the primary acknowledged but had not replicated (the RPO set) are missing there, and measured; clients retrying with the same keys get one order each; at failback the region returns only after catching up, every withheld write comes back, and after reconciliation each intent has one order, one held authorization and one stock decrement, in both regions, and each order one order.v1.placed webhook-id at the consumer (events the lost region never relayed are relayed by the survivor).`,
    fault:
      'primary region lost: replication cut both ways (writes withheld, not dropped) and its cell stopped; restored as a step (catch-up, then serve)',
    recovery: 'failover',
    warmupSeconds: 30,
    faultSeconds: 180,
    settleSeconds: 120,
    expectations: [
      `RTO <= predicted RTO + ${RTO_TOLERANCE_SECONDS} s`,
      'the RPO set at promotion measured (acknowledged writes of the lost region not in the survivor, oldest age)',
      'a checkout the lost region committed and never replicated, retried on the survivor with its key: the same order',
      'every withheld write back in both regions after failback',
      '0 acknowledged orders lost; 0 duplicate orders; one held authorization per order',
      "every order's order.v1.placed at the consumer, one webhook-id each (relay-foreign-events run on the survivor after promotion)",
      'stock = before - orders, in both regions; reconciliation leaves nothing for a person',
      'regions converged (barriers crossed, pending 0, tables equal)',
    ],
  },
  local: async (context) => {
    const timings = standardTimings(context, regionLoss.definition);
    const scenario = new RegionLossScenario(context, timings.warmupSeconds * 1000);
    await scenario.prepare();
    const { zone } = context;
    return {
      injectors: [
        new LocalFaultInjector(context.control, {
          kind: 'region-loss',
          zone: zone.name,
          region: zone.primary.region,
        }),
      ],
      failedCell: cellName(zone.primary),
      timings,
      checks: [scenario, new AcknowledgedOrders(context)],
      // Room for the drill's shoppers to write on the promoted survivor before the region returns.
      holdAfterRecoverySeconds: context.short ? 3 : 10,
      notes: [
        `SIMULATED: the lost region's table stays in DynamoDB Local; its API is gone, replication is cut (which decides the RPO) and its outbox relay stops until the region returns; its webhook dispatcher and checkout sweep keep running. After promotion the drill runs relay-foreign-events on the survivor, as the runbook does. ${LAG_BEFORE_LOSS_MS} ms of replication lag is held until the loss so that writes are in flight when it happens, as with a global table's typical second.`,
        'The RPO is the set of writes the lost region acknowledged and had not replicated: they are missing on the survivor until failback. A shopper who retried such a checkout on the survivor with the same key got the same order (its id derives from the key); one whose cart had not replicated got 404 and may have shopped again.',
      ],
    };
  },
};
