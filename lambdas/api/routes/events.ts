import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Hono } from 'hono';
import { encodeTime } from 'ulid';
import * as z from 'zod';
import { eventEnvelopeSchema, outboxIndexOf } from '../../core/events/envelope';
import type { ResolvedDependencies } from '../dependencies';
import type { AppEnv } from '../http/env';
import { defineRoute, mountRoute, type RouteSpec } from '../http/route';
import { AUTH_ERRORS, problemSchema } from '../schemas';
import { mountOptionsFor } from '../mount-options';
import { SCOPES } from '../../core/scopes';

/**
 * Pull/replay API: `GET /v1/events?after=<cursor>&limit=` returns the zone's
 * events in ULID (= time) order from the outbox index (gsi1 `EVENTS#<zone>`),
 * for consumers that were offline or prefer polling to webhooks.
 *
 * The cursor is an event id: pass the `nextCursor` of the previous page (or
 * any event id you have processed). It is stable across cells of the zone.
 *
 * Settle window: only events older than `settleMs` (5 s) are returned. Event
 * ids are minted by different API instances and the index is eventually
 * consistent, so an event with an id just below the newest one may become
 * visible a moment later; without the window a poller could step past it for
 * good. Outbox items are kept 7 days (OUTBOX_RETENTION_SECONDS), which is
 * the replay horizon.
 */

/** OAuth scope of the events API. */
export const EVENTS_SCOPE = SCOPES.eventsRead;
export const DEFAULT_SETTLE_MS = 5000;

const ulidSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an event id (ULID)');

const eventsPageSchema = z
  .object({
    items: z.array(eventEnvelopeSchema),
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass as `after` to continue; null when nothing was ever read'),
  })
  .meta({ id: 'EventPage' });

export interface EventRouteOptions {
  /** @default 5000 */
  readonly settleMs?: number;
}

export function eventRoutes(deps: ResolvedDependencies, options: EventRouteOptions = {}): RouteSpec[] {
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/events',
      operationId: 'listEvents',
      summary: "The zone's events after a cursor, oldest first (pull/replay)",
      tag: 'events',
      scope: EVENTS_SCOPE,
      mutating: false,
      query: z.strictObject({
        after: ulidSchema.optional(),
        limit: z.coerce.number().int().min(1).max(100).default(50),
      }),
      responses: {
        200: { description: 'A page of events', schema: eventsPageSchema },
        400: { description: 'Invalid cursor or limit', schema: problemSchema },
        ...AUTH_ERRORS,
      },
      handler: async (ctx) => {
        const { after, limit } = ctx.query;
        // Highest id that is settled: every id minted at or before now - settleMs sorts below it.
        const upper = `${encodeTime(Math.max(0, deps.now() - settleMs), 10)}ZZZZZZZZZZZZZZZZ`;
        // `after` + '0' is the smallest string above `after`'s id among 26-char ids: excludes `after` itself.
        const lower = after ? `${after}0` : '0';
        if (lower > upper) return { status: 200, body: { items: [], nextCursor: after ?? null } };
        const { Items = [] } = await deps.documentClient.send(
          new QueryCommand({
            TableName: deps.table.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lower AND :upper',
            ExpressionAttributeValues: {
              ':pk': outboxIndexOf(deps.config.CELL_ZONE),
              ':lower': lower,
              ':upper': upper,
            },
            Limit: limit,
          }),
        );
        const items = Items.map((item) => item.envelope);
        return {
          status: 200,
          body: { items, nextCursor: items.at(-1)?.eventId ?? after ?? null },
        };
      },
    }),
  ] as RouteSpec[];
}

/** For `ApiDependencies.extensions`: mounts the events route on the app. */
export function eventsExtension(options: EventRouteOptions = {}) {
  return (app: Hono<AppEnv>, deps: ResolvedDependencies): void => {
    const mount = mountOptionsFor(deps);
    for (const spec of eventRoutes(deps, options)) mountRoute(app, spec, mount);
  };
}
