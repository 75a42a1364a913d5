import * as z from 'zod';
import type { DurableStore } from '../storage/durable-store';

/**
 * Remembers which events (by `webhook-id` = `eventId`) were handled, checked BEFORE any side
 * effect. Deliveries are at-least-once, and the pull catch-up may bring an event a webhook
 * already brought: both go through the same store.
 *
 * `claim` answers:
 * - `claimed`: first time (or an earlier claim's lease ran out, its process having died): handle it,
 *   then `complete` (or `release` when handling failed, so a redelivery can try again);
 * - `done`: already handled, skip it;
 * - `busy`: another delivery of the same id is being handled right now.
 *
 * Implement it over a shared database (conditional put) when several processes receive webhooks;
 * `StoreDedupe` below is atomic within one process.
 */
export interface DedupeStore {
  claim(id: string): Promise<'claimed' | 'done' | 'busy'>;
  complete(id: string): Promise<void>;
  release(id: string): Promise<void>;
}

const recordSchema = z.object({
  state: z.enum(['processing', 'done']),
  at: z.number(),
});

export interface StoreDedupeOptions {
  /** @default 'webhooks/seen' */
  readonly namespace?: string;
  /** A `processing` claim older than this is taken over (its handler died). @default 300000 (5 min) */
  readonly leaseMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A DedupeStore over a DurableStore; claims of one id are serialized within the process. */
export class StoreDedupe implements DedupeStore {
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly namespace: string;
  private readonly leaseMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: DurableStore,
    options: StoreDedupeOptions = {},
  ) {
    this.namespace = options.namespace ?? 'webhooks/seen';
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
  }

  claim(id: string): Promise<'claimed' | 'done' | 'busy'> {
    return this.locked(id, async () => {
      const record = recordSchema.safeParse(await this.store.get(this.keyOf(id)));
      if (record.success && record.data.state === 'done') return 'done';
      if (record.success && this.now() - record.data.at < this.leaseMs) return 'busy';
      await this.store.set(this.keyOf(id), { state: 'processing', at: this.now() });
      return 'claimed';
    });
  }

  complete(id: string): Promise<void> {
    return this.locked(id, () => this.store.set(this.keyOf(id), { state: 'done', at: this.now() }));
  }

  release(id: string): Promise<void> {
    return this.locked(id, () => this.store.delete(this.keyOf(id)));
  }

  /** Forgets handled ids older than `olderThanMs` (the API keeps events 7 days: keep them longer). */
  async prune(olderThanMs: number): Promise<number> {
    let removed = 0;
    for (const entry of await this.store.list(`${this.namespace}/`)) {
      const record = recordSchema.safeParse(entry.value);
      if (record.success && record.data.state === 'done' && this.now() - record.data.at > olderThanMs) {
        await this.store.delete(entry.key);
        removed += 1;
      }
    }
    return removed;
  }

  private keyOf(id: string): string {
    return `${this.namespace}/${id}`;
  }

  private locked<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(id, settled);
    void settled.then(() => {
      if (this.locks.get(id) === settled) this.locks.delete(id);
    });
    return next;
  }
}
