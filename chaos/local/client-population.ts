import { type CommerceClient, createCommerceClient } from '../../clients/commerce-client/client';
import { newIdempotencyKey, stepKey } from '../../clients/commerce-client/idempotency';
import type { ResilienceOptions } from '../../clients/commerce-client/policies';
import { TRANSIENT_PROBLEM_CODES } from '../../clients/commerce-client/problem';
import { REPLICATION_LATENCY_ALARM_MS } from '../../lib/topology';

/**
 * A population of channel clients (clients/commerce-client) under bounded load: each client reads the
 * catalog and, every `orderEvery`-th operation, places an order (cart, line, checkout; one
 * idempotency key per step, derived from the intent's key, so every retry sends the same key).
 * `dns`: the client with cell failover off, so every call goes to the zone endpoint and waits for
 * the edge (the DNS stand-in) to fail over. `cell-failover`: the client as shipped.
 */

export type PopulationMode = 'dns' | 'cell-failover';

/**
 * A checkout answered 404 is sent again with its key, every 500 ms for as long as replication may lag before
 * the zone's alarm (REPLICATION_LATENCY_ALARM_MS): the cart, and any order of it, is visible by then.
 */
const CHECKOUT_404_RETRIES = {
  times: Math.ceil(REPLICATION_LATENCY_ALARM_MS / 500),
  intervalMs: 500,
} as const;

export interface OperationSample {
  readonly kind: 'read' | 'order';
  /** Drill clock (ms since the load started). */
  readonly startedMs: number;
  readonly endedMs: number;
  readonly ok: boolean;
  readonly detail?: string;
  readonly orderId?: string;
  /**
   * The API's final answer to this operation (a business refusal such as insufficient stock): the client
   * could not have retried it, so it is reported, not counted as a failure to recover.
   */
  readonly refused?: boolean;
  /**
   * An attempt of this operation was answered 503 `not_writer`: the zone had no writer (a fenced secondary
   * before its promotion). The promotion follows the primary's scaled health checks, so such a wait is a
   * scaled time, unlike the client's own move to another cell.
   */
  readonly waitedForWriter?: boolean;
}

export interface ClientPopulationOptions {
  readonly mode: PopulationMode;
  readonly baseUrl: string;
  readonly authorization: string;
  /** Clients, each running one operation at a time. */
  readonly clients: number;
  /** Pause between two operations of one client (pacing of the bounded load). */
  readonly intervalMs: number;
  /** Every n-th operation of a client is an order. */
  readonly orderEvery: number;
  readonly productId: string;
  /** The drill clock. */
  readonly clock: () => number;
  /** @default the client's defaults */
  readonly resilience?: ResilienceOptions;
  /** Hard bound on operations per client (with the drill's phases, what bounds the load). @default 2000 */
  readonly maxOperationsPerClient?: number;
}

export class ClientPopulation {
  readonly samples: OperationSample[] = [];
  private stopped = false;
  private workers: Promise<void>[] = [];

  constructor(private readonly options: ClientPopulationOptions) {}

  get mode(): PopulationMode {
    return this.options.mode;
  }

  start(): void {
    if (this.workers.length > 0) return;
    for (let i = 0; i < this.options.clients; i++) this.workers.push(this.worker());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers);
  }

  private async worker(): Promise<void> {
    const { options } = this;
    const client = createCommerceClient({
      baseUrl: options.baseUrl,
      token: options.authorization.replace(/^Bearer /, ''),
      cellFailover: options.mode === 'cell-failover',
      ...(options.resilience ? { resilience: options.resilience } : {}),
    });
    const bound = options.maxOperationsPerClient ?? 2000;
    // One operation at a time per client, so every attempt event between two samples is this operation's.
    let waitedForWriter = false;
    client.transport.onEvent((event) => {
      if (event.type === 'attempt' && event.outcome === 'not_writer') waitedForWriter = true;
    });
    for (let n = 1; !this.stopped && n <= bound; n++) {
      const kind = n % options.orderEvery === 0 ? 'order' : 'read';
      const startedMs = options.clock();
      waitedForWriter = false;
      let outcome: { ok: boolean; detail?: string; orderId?: string };
      try {
        outcome = kind === 'order' ? await this.order(client) : await this.read(client);
      } catch (error) {
        outcome = { ok: false, detail: (error as Error).message };
      }
      this.samples.push({
        kind,
        startedMs,
        endedMs: options.clock(),
        ...outcome,
        ...(waitedForWriter ? { waitedForWriter } : {}),
      });
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    }
  }

  private async read(client: CommerceClient) {
    const { response } = await client.api.GET('/v1/products', { params: { query: { limit: 1 } } });
    return response.ok ? { ok: true } : { ok: false, detail: `read answered ${response.status}` };
  }

  /**
   * One order intent. A cart created in the primary just before it failed may not have replicated (the
   * RPO): the other cell answers 404 for it. While no checkout has been sent, the storefront still holds the
   * lines, so it builds the cart again (new keys for the new cart) and goes on, once; the drill counts those
   * carts as lost to the RPO. A 404 for the checkout itself is different: an attempt of it may have committed
   * in the failed cell with its answer lost (the transport retried it in the other cell), so a new cart could be
   * a second order. The storefront sends the same checkout again, with its key, until the cart is visible
   * (CHECKOUT_404_RETRIES), as the channel client's outbox does.
   */
  private async order(client: CommerceClient) {
    const intent = newIdempotencyKey();
    for (let build = 0; build < 2; build += 1) {
      const header = (step: string) => ({
        header: { 'Idempotency-Key': stepKey(intent, `${step}#${build}`) },
      });
      const cart = await client.api.POST('/v1/carts', { params: header('cart'), body: {} });
      if (!cart.data) return { ok: false, detail: `cart answered ${cart.response.status}` };
      const cartId = cart.data.id;
      const line = await client.api.POST('/v1/carts/{cartId}/items', {
        params: { path: { cartId }, ...header('line:0') },
        body: { productId: this.options.productId, quantity: 1 },
      });
      if (line.response.status === 404 && build === 0) {
        this.cartsLostToRpo += 1;
        continue;
      }
      if (!line.data) return { ok: false, detail: `line answered ${line.response.status}` };
      const sendCheckout = () =>
        client.api.POST('/v1/checkout', {
          params: header('checkout'),
          body: { cartId, paymentMethod: 'pm_card_ok' },
        });
      let checkout = await sendCheckout();
      for (let retry = 0; checkout.response.status === 404 && retry < CHECKOUT_404_RETRIES.times; retry++) {
        await new Promise((resolve) => setTimeout(resolve, CHECKOUT_404_RETRIES.intervalMs));
        checkout = await sendCheckout();
      }
      if (!checkout.data) {
        const code =
          (checkout.error as { code?: string } | undefined)?.code ?? `http_${checkout.response.status}`;
        const refused = checkout.response.status < 500 && !TRANSIENT_PROBLEM_CODES.has(code);
        return { ok: false, refused, detail: `checkout answered ${checkout.response.status} ${code}` };
      }
      return { ok: true, orderId: checkout.data.id };
    }
    return { ok: false, detail: 'the cart was lost twice' };
  }

  /** Carts the population built again because the other cell had not received them (lost to the RPO). */
  cartsLostToRpo = 0;
}

export interface PopulationRecovery {
  /**
   * Milliseconds from the fault until the population was served again (see `populationRecovery`), over the
   * operations that did not wait for the zone's writer.
   */
  readonly rtoMs: number | undefined;
  /** Operations that ended failed after the fault started (see `refusedAfterFault`, `refusedNoWriter`). */
  readonly failedAfterFault: number;
  /** Those operations, in the order they ran. */
  readonly failures: readonly OperationSample[];
  /** Operations the API refused for good after the fault (business answers, not outages). */
  readonly refusedAfterFault: number;
  /** Orders that failed on 503 `not_writer` before the zone had a writer again (its promotion). */
  readonly refusedNoWriter: number;
  /**
   * Milliseconds from the fault until the zone took writes again: the end of the first order that started
   * after the fault and succeeded. Undefined when none did.
   */
  readonly writerBackMs: number | undefined;
  readonly operationsAfterFault: number;
}

/**
 * What a population saw of the fault. Its RTO is the longer of (a) the outage, from the fault to the end of
 * the first operation that succeeded after the last failed one, and (b) the longest wait of a successful
 * operation in flight at or started after the fault (a call the client held while retrying or failing
 * over). Only operations that started before the rollback count.
 *
 * Operations that met 503 `not_writer` and started before the zone took writes again waited for the
 * promotion, not for the client: they are left out of the RTO and of the failures, and counted apart
 * (`refusedNoWriter`, `writerBackMs`). A fenced zone has no writer from the primary's loss until the
 * promoter runs on its health-check alarm; no client can shorten that, and a storefront's order then fails
 * (the kiosk outbox queues it). One that met `not_writer` after the zone took writes again is a failure, and
 * so is every one when no order succeeded after the fault (a promotion that never came).
 */
export function populationRecovery(
  samples: readonly OperationSample[],
  faultStartMs: number,
  rollbackAtMs: number,
): PopulationRecovery {
  const relevant = samples.filter((s) => s.endedMs >= faultStartMs && s.startedMs < rollbackAtMs);
  const writerBack = earliestEnd(
    relevant.filter((s) => s.kind === 'order' && s.ok && s.startedMs >= faultStartMs),
  );
  // No writer back at all (a promotion that never came) sets nothing apart: every such order is a failure.
  const awaitingWriter = (s: OperationSample) =>
    s.waitedForWriter === true && writerBack !== undefined && s.startedMs < writerBack;
  const judged = relevant.filter((s) => !awaitingWriter(s));
  const failed = judged.filter((s) => !s.ok && !s.refused);
  const succeeded = judged.filter((s) => s.ok);
  const lastFailureEnd = Math.max(faultStartMs, ...failed.map((s) => s.endedMs));
  const firstSuccessAfter = earliestEnd(
    succeeded.filter(
      (s) => s.startedMs >= lastFailureEnd || (failed.length === 0 && s.endedMs >= faultStartMs),
    ),
  );
  const longestWait = Math.max(0, ...succeeded.map((s) => s.endedMs - Math.max(s.startedMs, faultStartMs)));
  const outage = firstSuccessAfter === undefined ? undefined : firstSuccessAfter - faultStartMs;
  return {
    rtoMs: outage === undefined ? undefined : Math.max(outage, longestWait),
    failedAfterFault: failed.length,
    failures: failed,
    refusedAfterFault: relevant.filter((s) => s.refused).length,
    refusedNoWriter: relevant.filter((s) => awaitingWriter(s) && !s.ok).length,
    writerBackMs: writerBack === undefined ? undefined : writerBack - faultStartMs,
    operationsAfterFault: relevant.length,
  };
}

/** When the first of these operations ended; undefined for none. */
function earliestEnd(samples: readonly OperationSample[]): number | undefined {
  return samples.length === 0 ? undefined : Math.min(...samples.map((s) => s.endedMs));
}
