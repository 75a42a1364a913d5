import * as z from 'zod';
import type { CommerceClient } from '../client';
import type { CommerceEvent } from '../contract';
import { ProblemError, problemSchema } from '../problem';
import type { DurableStore } from '../storage/durable-store';
import type { DedupeStore } from './dedupe';
import type { EventHandler } from './event';

export interface EventCatchUpOptions {
  /** A client whose token has the `events:read` scope. */
  readonly client: CommerceClient;
  /** Where the cursor is kept between runs (and restarts). */
  readonly store: DurableStore;
  /** The same dedupe store the WebhookReceiver uses, so an event is handled once whichever way it came. */
  readonly dedupe: DedupeStore;
  readonly handle: EventHandler;
  /** @default 'webhooks/events-cursor' */
  readonly cursorKey?: string;
  /** @default 100 (the API's maximum) */
  readonly pageSize?: number;
  /** A bound on one run, so a huge backlog is worked through over several runs. @default 100 */
  readonly maxPages?: number;
}

export interface CatchUpReport {
  readonly pages: number;
  readonly handled: number;
  readonly duplicates: number;
  readonly cursor: string | null;
  /** True when the last page was not full: nothing older than the API's visibility delay is left. */
  readonly caughtUp: boolean;
}

const cursorSchema = z.string().min(1).nullable();

/**
 * Pull/replay catch-up from `GET /v1/events` after an outage of the receiver (or of deliveries).
 *
 * Pages from the persisted cursor, oldest first; every event goes through the dedupe store before
 * the handler (events a webhook already brought are skipped); the cursor, the previous page's
 * `nextCursor` taken as an opaque string, is saved after each page is fully handled. A handler
 * failure stops the run without moving the cursor past that page, so the next run replays it
 * (handled events are then skipped as duplicates). Run it at start-up and on a timer.
 */
export class EventCatchUp {
  private running: Promise<CatchUpReport> | undefined;
  private readonly cursorKey: string;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(private readonly options: EventCatchUpOptions) {
    this.cursorKey = options.cursorKey ?? 'webhooks/events-cursor';
    this.pageSize = options.pageSize ?? 100;
    this.maxPages = options.maxPages ?? 100;
  }

  /** One catch-up run; a call while one runs joins it. */
  run(signal?: AbortSignal): Promise<CatchUpReport> {
    this.running ??= this.pages(signal).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async cursor(): Promise<string | null> {
    const stored = cursorSchema.safeParse(await this.options.store.get(this.cursorKey));
    return stored.success ? stored.data : null;
  }

  private async pages(signal?: AbortSignal): Promise<CatchUpReport> {
    let cursor = await this.cursor();
    let pages = 0;
    let handled = 0;
    let duplicates = 0;
    while (pages < this.maxPages) {
      const { data, error, response } = await this.options.client.api.GET('/v1/events', {
        params: { query: { limit: this.pageSize, ...(cursor ? { after: cursor } : {}) } },
        ...(signal ? { signal } : {}),
      });
      if (!data) {
        const problem = problemSchema.safeParse(error);
        throw new ProblemError(response.status, problem.success ? problem.data : undefined);
      }
      pages += 1;
      for (const event of data.items) {
        const claim = await this.options.dedupe.claim(event.eventId);
        if (claim !== 'claimed') {
          duplicates += 1;
          continue;
        }
        try {
          await this.options.handle(event as CommerceEvent, { via: 'catch-up' });
        } catch (failure) {
          await this.options.dedupe.release(event.eventId);
          throw failure;
        }
        await this.options.dedupe.complete(event.eventId);
        handled += 1;
      }
      if (data.nextCursor && data.nextCursor !== cursor) {
        cursor = data.nextCursor;
        await this.options.store.set(this.cursorKey, cursor);
      }
      if (data.items.length < this.pageSize) return { pages, handled, duplicates, cursor, caughtUp: true };
    }
    return { pages, handled, duplicates, cursor, caughtUp: false };
  }
}
