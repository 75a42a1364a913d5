import * as z from 'zod';
import {
  OutboxRepository,
  POSITION_PATTERN,
  positionBounds,
  positionOf,
} from '../../adapters/outbox-repository';
import { eventEnvelopeSchema } from '../../core/events/envelope';
import { SCOPES } from '../../core/scopes';
import { contract, type RouteFamily } from '../http/route';
import { AUTH_ERRORS, problemSchema } from '../schemas';

/**
 * Pull/replay API: `GET /v1/events?after=<cursor>&limit=` returns the zone's events in the order they
 * occurred (their position in the outbox index), for consumers that were offline or prefer polling to
 * webhooks.
 *
 * The cursor is opaque: pass the `nextCursor` of the previous page. It is stable across cells of the zone.
 * Consumers dedupe by `eventId` (a fact stated again after a failover keeps its id).
 *
 * Settle window: only events older than `eventSettleMs` (ApiDependencies; 5 s) are returned. Events are
 * written by different API instances and the index is eventually consistent, so an event positioned just
 * below the newest one may become visible a moment later; without the window a poller could step past it
 * for good. Outbox items are kept 7 days (OUTBOX_RETENTION_SECONDS in adapters/outbox-repository.ts), which
 * is the replay horizon.
 */

/** OAuth scope of the events API. */
export const EVENTS_SCOPE = SCOPES.eventsRead;

const cursorSchema = z.string().regex(POSITION_PATTERN, 'must be the nextCursor of a previous page');

const eventsPageSchema = z
  .object({
    items: z.array(eventEnvelopeSchema),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `after` to continue; null when nothing was ever read'),
  })
  .meta({ id: 'EventPage' });

export const eventContracts = {
  listEvents: contract({
    method: 'get',
    path: '/v1/events',
    operationId: 'listEvents',
    summary: "The zone's events after a cursor, oldest first (pull/replay)",
    tag: 'events',
    scope: EVENTS_SCOPE,
    mutating: false,
    query: z.strictObject({
      after: cursorSchema.optional(),
      limit: z.coerce.number().int().min(1).max(100).default(50),
    }),
    responses: {
      200: { description: 'A page of events', schema: eventsPageSchema },
      400: { description: 'Invalid cursor or limit', schema: problemSchema },
      ...AUTH_ERRORS,
    },
  }),
};

export const eventRoutes: RouteFamily<typeof eventContracts> = {
  contracts: eventContracts,
  bind: (deps) => {
    const settleMs = deps.eventSettleMs;
    const outbox = new OutboxRepository(deps.table);
    return {
      listEvents: {
        handle: async (ctx) => {
          const { after, limit } = ctx.query;
          // Highest settled position: every event that occurred at or before now - settleMs sorts below it.
          const { upper } = positionBounds(0, deps.now() - settleMs);
          // `after` + '0' is the smallest string above `after` among positions: excludes `after` itself.
          const lower = after ? `${after}0` : '0';
          if (lower > upper) return { status: 200, body: { items: [], nextCursor: after ?? null } };
          const { envelopes: items } = await outbox.page(deps.config.CELL_ZONE, { lower, upper }, limit);
          return {
            status: 200,
            body: { items, nextCursor: items.length > 0 ? positionOf(items.at(-1)!) : (after ?? null) },
          };
        },
      },
    };
  },
};
