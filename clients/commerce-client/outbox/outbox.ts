import type { CommerceClient } from '../client';
import { newIdempotencyKey } from '../idempotency';
import { Listeners } from '../listeners';
import type { DurableStore } from '../storage/durable-store';
import {
  type Intent,
  intentSchema,
  type OrderPayload,
  orderPayloadSchema,
  type RequestPayload,
  requestPayloadSchema,
} from './intent';
import { sendIntent } from './send-intent';

export interface OutboxOptions {
  readonly client: CommerceClient;
  readonly store: DurableStore;
  /** Key prefix in the store; two outboxes in one store need two namespaces. @default 'outbox' */
  readonly namespace?: string;
  /** While started: how long after a send stopped short (offline, 503) the outbox tries again. @default 5000 */
  readonly retryIntervalMs?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

export interface FlushReport {
  /** Intents that reached `accepted` or `needs_attention` in this flush. */
  readonly settled: number;
  /** The intent the flush stopped at (later ones wait behind it to keep their order), if any. */
  readonly stoppedAt?: { readonly id: string; readonly reason: string };
}

export type OutboxListener = (intents: readonly Intent[], changed: Intent) => void;

/**
 * A durable, ordered outbox of intents (orders and other writes) for kiosks and mobile apps.
 *
 * - `placeOrder`/`send` write the intent, with its idempotency key, to the store and only then
 *   return; nothing goes to the network before that write is durable.
 * - `flush` sends queued intents oldest first. A send that stops short (offline, timeout, 5xx,
 *   409 in use, 401) leaves the intent `queued` and stops the flush, so later intents never
 *   overtake it; a final refusal (402 declined, 404, 409 insufficient stock, 422, ...) marks it
 *   `needs_attention` with the problem details and the flush goes on to the next.
 * - After a restart, `open` reloads the queue; an intent caught `sending` goes back to `queued`
 *   and is sent again with the same key, which the API replays instead of repeating.
 * - `start` flushes now, again `retryIntervalMs` after a send stops short, when the browser
 *   reports `online`, and when any call of the client reaches the API again.
 */
export class Outbox {
  private readonly intents = new Map<string, Intent>();
  private readonly listeners = new Listeners<{ intents: readonly Intent[]; changed: Intent }>();
  private readonly namespace: string;
  private readonly retryIntervalMs: number;
  private readonly clock: () => Date;
  private flushing: Promise<FlushReport> | undefined;
  private aborter = new AbortController();
  private started = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly unsubscribers: Array<() => void> = [];

  private constructor(private readonly options: OutboxOptions) {
    this.namespace = options.namespace ?? 'outbox';
    if (!/^[A-Za-z0-9_-]+$/.test(this.namespace)) {
      throw new Error(`Outbox namespace "${this.namespace}" may hold only letters, digits, _ and -`);
    }
    this.retryIntervalMs = options.retryIntervalMs ?? 5000;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Loads the stored queue (after a restart, too). An intent left `sending` is queued again. */
  static async open(options: OutboxOptions): Promise<Outbox> {
    const outbox = new Outbox(options);
    for (const entry of await options.store.list(outbox.prefix)) {
      const parsed = intentSchema.safeParse(entry.value);
      if (!parsed.success) continue; // not an intent of this version: left in the store untouched
      let intent = parsed.data;
      if (intent.status === 'sending') {
        intent = { ...intent, status: 'queued' };
        await options.store.set(entry.key, intent);
      }
      outbox.intents.set(intent.id, intent);
    }
    return outbox;
  }

  /** Every intent, oldest first. */
  list(): Intent[] {
    return [...this.intents.values()];
  }

  get(id: string): Intent | undefined {
    return this.intents.get(id);
  }

  /** Called with the whole list on every status change. Returns the unsubscribe function. */
  subscribe(listener: OutboxListener): () => void {
    return this.listeners.add(({ intents, changed }) => listener(intents, changed));
  }

  /** Queues an order (cart, lines, checkout). Resolves once it is durable in the store. */
  placeOrder(payload: OrderPayload): Promise<Intent> {
    const parsed = orderPayloadSchema.safeParse(payload);
    if (!parsed.success) return Promise.reject(invalid('order', parsed.error.issues));
    return this.enqueue({ kind: 'order', payload: parsed.data, progress: { linesAdded: 0 } });
  }

  /** Queues one mutating call (e.g. `{ method: 'POST', path: '/v1/orders/<id>/cancel' }`). */
  send(payload: RequestPayload): Promise<Intent> {
    const parsed = requestPayloadSchema.safeParse(payload);
    if (!parsed.success) return Promise.reject(invalid('request', parsed.error.issues));
    return this.enqueue({ kind: 'request', payload: parsed.data });
  }

  /** Removes a settled intent (accepted, or needs attention and dealt with). */
  async discard(id: string): Promise<void> {
    const intent = this.intents.get(id);
    if (!intent) return;
    if (intent.status === 'queued' || intent.status === 'sending') {
      throw new Error(
        `intent ${id} is ${intent.status}; only accepted or needs-attention intents can be discarded`,
      );
    }
    await this.options.store.delete(this.keyOf(id));
    this.intents.delete(id);
  }

  /** Sends queued intents in order; one flush at a time (a second call joins the running one). */
  flush(): Promise<FlushReport> {
    this.flushing ??= this.runFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Flush now and whenever connectivity may have come back, until `stop`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.aborter = new AbortController();
    const target = globalThis as unknown as Partial<
      Pick<EventTarget, 'addEventListener' | 'removeEventListener'>
    >;
    if (typeof target.addEventListener === 'function') {
      const onOnline = () => this.kick();
      target.addEventListener('online', onOnline);
      this.unsubscribers.push(() => target.removeEventListener?.('online', onOnline));
    }
    this.unsubscribers.push(
      this.options.client.transport.onEvent((event) => {
        if (event.type === 'connectivity' && event.connectivity === 'online') this.kick();
      }),
    );
    this.kick();
  }

  /** Stops scheduling flushes and aborts the send in flight (its intent stays queued). */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.aborter.abort();
    await this.flushing?.catch(() => undefined);
    this.aborter = new AbortController();
  }

  private get prefix(): string {
    return `${this.namespace}/`;
  }

  private keyOf(id: string): string {
    return `${this.prefix}${id}`;
  }

  private async enqueue(fields: Pick<Intent, 'kind' | 'payload'> & Partial<Intent>): Promise<Intent> {
    const now = this.clock().toISOString();
    const intent = intentSchema.parse({
      ...fields,
      id: newIdempotencyKey(),
      key: newIdempotencyKey(),
      status: 'queued',
      createdAt: now,
      updatedAt: now,
      sends: 0,
    });
    await this.options.store.set(this.keyOf(intent.id), intent);
    this.intents.set(intent.id, intent);
    this.listeners.emit({ intents: this.list(), changed: intent });
    if (this.started) this.kick();
    return intent;
  }

  private async save(intent: Intent): Promise<Intent> {
    const saved = { ...intent, updatedAt: this.clock().toISOString() } as Intent;
    await this.options.store.set(this.keyOf(saved.id), saved);
    this.intents.set(saved.id, saved);
    this.listeners.emit({ intents: this.list(), changed: saved });
    return saved;
  }

  private nextPending(): Intent | undefined {
    return this.list().find((intent) => intent.status === 'queued' || intent.status === 'sending');
  }

  private async runFlush(): Promise<FlushReport> {
    let settled = 0;
    for (let intent = this.nextPending(); intent; intent = this.nextPending()) {
      const signal = this.aborter.signal;
      if (signal.aborted) return { settled, stoppedAt: { id: intent.id, reason: 'stopped' } };
      const sending = await this.save({ ...intent, status: 'sending', sends: intent.sends + 1 });
      const outcome = await sendIntent(
        this.options.client,
        sending,
        (progress) => this.save(progress).then(() => undefined),
        signal,
      );
      const latest = this.intents.get(sending.id)!;
      if (outcome.type === 'deferred') {
        await this.save({ ...latest, status: 'queued', lastError: outcome.reason });
        this.scheduleRetry();
        return { settled, stoppedAt: { id: sending.id, reason: outcome.reason } };
      }
      settled += 1;
      if (outcome.type === 'accepted') {
        const { lastError: _cleared, ...accepted } = { ...outcome.intent, status: 'accepted' as const };
        await this.save(accepted as Intent);
      } else {
        await this.save({ ...latest, status: 'needs_attention', problem: outcome.problem });
      }
    }
    return { settled };
  }

  private kick(): void {
    if (!this.started) return;
    void this.flush().catch(() => this.scheduleRetry());
  }

  private scheduleRetry(): void {
    if (!this.started || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.retryIntervalMs);
  }
}

function invalid(kind: string, issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): Error {
  return new Error(
    `Invalid ${kind} intent: ${issues.map((issue) => `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}`).join('; ')}`,
  );
}
