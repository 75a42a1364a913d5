import { monotonicFactory } from 'ulid';
import * as z from 'zod';

/**
 * The event envelope (docs/architecture.md, "Contracts"). The API writes it
 * into the outbox (adapters/outbox-repository.ts) in the same transaction as
 * the business change; the relay publishes it. Consumers dedupe by `eventId`.
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
