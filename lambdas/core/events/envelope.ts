import { monotonicFactory } from 'ulid';
import * as z from 'zod';

/**
 * The event envelope (ARCHITECTURE.md section 5) and the outbox item that
 * carries it. The API writes the outbox item in the same DynamoDB transaction
 * as the business change; the outbox relay reads it from the table stream and
 * publishes the envelope. Consumers dedupe by `eventId`.
 */

export const eventTypePattern = /^[a-z][a-z0-9_]*\.v[0-9]+\.[a-z][a-z0-9_]*$/;

export const eventEnvelopeSchema = z.strictObject({
  eventId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID'),
  eventType: z.string().regex(eventTypePattern, 'must look like order.v1.placed'),
  occurredAt: z.iso.datetime(),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  producer: z.strictObject({ region: z.string().min(1), zone: z.string().min(1) }),
  aggregate: z.strictObject({
    type: z.string().min(1),
    id: z.string().min(1),
    version: z.number().int().nonnegative(),
  }),
  data: z.record(z.string(), z.unknown()),
});

export type EventEnvelope = z.output<typeof eventEnvelopeSchema>;

const nextUlid = monotonicFactory();

export interface NewEventInput {
  readonly eventType: string;
  readonly correlationId: string;
  readonly causationId?: string | null;
  readonly producer: EventEnvelope['producer'];
  readonly aggregate: EventEnvelope['aggregate'];
  readonly data: Record<string, unknown>;
  /** @default Date.now() */
  readonly now?: number;
}

export function newEvent(input: NewEventInput): EventEnvelope {
  const now = input.now ?? Date.now();
  return {
    eventId: nextUlid(now),
    eventType: input.eventType,
    occurredAt: new Date(now).toISOString(),
    correlationId: input.correlationId,
    causationId: input.causationId ?? null,
    producer: input.producer,
    aggregate: input.aggregate,
    data: input.data,
  };
}

/** Outbox items are kept 7 days; the relay publishes them within seconds. */
export const OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600;

/** gsi1 partition of a zone's outbox events (ULID order): the pull/replay API and the takeover read it. */
export function outboxIndexOf(zone: string): string {
  return `EVENTS#${zone}`;
}

/**
 * The outbox item for an event. `gsi1` orders a zone's events by ULID, which
 * serves the pull/replay API (`GET /v1/events?after=<cursor>`).
 */
export function outboxItem(event: EventEnvelope) {
  return {
    pk: `OUTBOX#${event.eventId}`,
    sk: 'EVENT',
    entity: 'outbox' as const,
    gsi1pk: outboxIndexOf(event.producer.zone),
    gsi1sk: event.eventId,
    envelope: event,
    expiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + OUTBOX_RETENTION_SECONDS,
  };
}

export type OutboxItem = ReturnType<typeof outboxItem>;

export function isOutboxItem(item: Record<string, unknown> | undefined): boolean {
  return item?.entity === 'outbox' && typeof item.pk === 'string' && item.pk.startsWith('OUTBOX#');
}
