import { createHash } from 'node:crypto';
import * as z from 'zod';

/**
 * The event envelope (docs/architecture.md, "Contracts"). The API writes it
 * into the outbox (adapters/outbox-repository.ts) in the same transaction as
 * the business change; the relay publishes it. Consumers dedupe by `eventId`.
 *
 * The id is derived from the fact the event states (its aggregate, version and type, or an explicit fact
 * key), not minted per execution: when a request runs twice (a same-key retry in the other cell after a
 * failover, while the first run's commit had not replicated), both runs state the same fact under the same
 * id, so every consumer that dedupes by id (webhook-id) applies it once.
 */

export const eventTypePattern = /^[a-z][a-z0-9_]*\.v[0-9]+\.[a-z][a-z0-9_]*$/;

export const eventEnvelopeSchema = z.strictObject({
  eventId: z
    .string()
    .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an event id (26 Crockford base32 characters)')
    .describe('Derived from the fact (aggregate, version, type): the same fact always has the same id.'),
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

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 26 Crockford base32 characters (130 bits) of the fact key's SHA-256: the shape of the ids before. */
export function eventIdOf(factKey: string): string {
  const digest = createHash('sha256').update(factKey).digest();
  let bits = 0n;
  for (const byte of digest.subarray(0, 17)) bits = (bits << 8n) | BigInt(byte);
  bits >>= 6n; // 136 -> 130 bits
  let id = '';
  for (let i = 0; i < 26; i += 1) {
    id = CROCKFORD[Number(bits & 31n)] + id;
    bits >>= 5n;
  }
  return id;
}

/** The fact an event states, unless the caller names it: the aggregate at this version, and the event type. */
export function defaultFactKey(input: Pick<NewEventInput, 'aggregate' | 'eventType'>): string {
  return `${input.aggregate.type}:${input.aggregate.id}:v${input.aggregate.version}:${input.eventType}`;
}

export interface NewEventInput {
  readonly eventType: string;
  readonly correlationId: string;
  readonly causationId?: string | null;
  readonly producer: EventEnvelope['producer'];
  readonly aggregate: EventEnvelope['aggregate'];
  readonly data: Record<string, unknown>;
  /** What makes this fact unique, when aggregate + version + type do not (e.g. a version-less aggregate). */
  readonly factKey?: string;
  /** @default Date.now() */
  readonly now?: number;
}

export function newEvent(input: NewEventInput): EventEnvelope {
  const now = input.now ?? Date.now();
  return {
    eventId: eventIdOf(input.factKey ?? defaultFactKey(input)),
    eventType: input.eventType,
    occurredAt: new Date(now).toISOString(),
    correlationId: input.correlationId,
    causationId: input.causationId ?? null,
    producer: input.producer,
    aggregate: input.aggregate,
    data: input.data,
  };
}
