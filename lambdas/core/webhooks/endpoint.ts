import * as z from 'zod';
import { eventTypePattern } from '../events/envelope';

/**
 * Webhook endpoints (subscriptions), as the domain sees them: what an endpoint subscribes to, its signing
 * secrets and their rotation, and when it is disabled. Secrets are returned to the caller exactly once (on
 * create and on rotate); public views never carry them, so never log an `EndpointRecord`.
 * Storage: adapters/webhook-endpoint-store.ts; the service: webhooks/endpoints.ts.
 */

export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
/** An endpoint whose deliveries have failed without a single success for this long is disabled. */
export const FAILING_DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000;

const eventTypeFilter = z
  .string()
  .refine(
    (value) => value === '*' || eventTypePattern.test(value) || /^[a-z][a-z0-9_]*\.\*$/.test(value),
    'must be an event type (order.v1.placed), a prefix wildcard (order.*) or *',
  );

export const createEndpointSchema = z.strictObject({
  url: z.url().max(2000),
  eventTypes: z.array(eventTypeFilter).min(1).max(100).default(['*']),
  description: z.string().max(500).optional(),
});
export const updateEndpointSchema = createEndpointSchema.partial();
export type CreateEndpointInput = z.input<typeof createEndpointSchema>;
export type UpdateEndpointInput = z.input<typeof updateEndpointSchema>;

export type DisabledReason = 'operator' | 'gone' | 'failing';

export interface EndpointSecret {
  readonly secret: string;
  /** ms since the epoch; absent on the current secret. */
  readonly expiresAt?: number;
}

export interface EndpointRecord {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description?: string;
  readonly enabled: boolean;
  readonly disabledReason?: DisabledReason;
  readonly secrets: readonly EndpointSecret[];
  /** First failure since the last success (ms); drives the 5-day auto-disable. */
  readonly failingSince?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic-concurrency counter: every change is a Put conditional on the revision it read. */
  readonly revision: number;
}

export type PublicEndpoint = Omit<EndpointRecord, 'secrets'> & { readonly rotatingUntil?: string };

export class EndpointNotFoundError extends Error {
  override name = 'EndpointNotFoundError';
}
/** The endpoint changed between read and write (another request won); re-read and retry. */
export class EndpointConflictError extends Error {
  override name = 'EndpointConflictError';
}

export function matchesEventType(endpoint: Pick<EndpointRecord, 'eventTypes'>, eventType: string): boolean {
  return endpoint.eventTypes.some(
    (filter) =>
      filter === '*' ||
      filter === eventType ||
      (filter.endsWith('.*') && eventType.startsWith(filter.slice(0, -1))),
  );
}

/** Secrets to sign with now: the current one first, then any not yet expired previous one. */
export function activeSecrets(endpoint: Pick<EndpointRecord, 'secrets'>, now: number): string[] {
  return endpoint.secrets.filter((s) => s.expiresAt === undefined || s.expiresAt > now).map((s) => s.secret);
}

export function toPublicEndpoint(record: EndpointRecord, now: number): PublicEndpoint {
  const { secrets, ...rest } = record;
  const rotating = secrets
    .filter((s) => s.expiresAt !== undefined && s.expiresAt > now)
    .map((s) => s.expiresAt as number);
  return rotating.length ? { ...rest, rotatingUntil: new Date(Math.max(...rotating)).toISOString() } : rest;
}

/** A new endpoint subscribing `input.eventTypes` at `input.url`, signing with `secret`. */
export function newEndpointRecord(
  input: z.output<typeof createEndpointSchema>,
  made: { readonly id: string; readonly secret: string; readonly at: string },
): EndpointRecord {
  return {
    id: made.id,
    url: input.url,
    eventTypes: input.eventTypes,
    ...(input.description !== undefined ? { description: input.description } : {}),
    enabled: true,
    secrets: [{ secret: made.secret }],
    createdAt: made.at,
    updatedAt: made.at,
    revision: 1,
  };
}

/** The next revision of an endpoint: `fields` changed, `remove` dropped, revision bumped. */
export function revised(
  before: EndpointRecord,
  fields: Partial<EndpointRecord>,
  at: string,
  remove: readonly (keyof EndpointRecord)[] = [],
): EndpointRecord {
  const record: Record<string, unknown> = {
    ...before,
    ...fields,
    updatedAt: at,
    revision: before.revision + 1,
  };
  for (const name of remove) delete record[name];
  return record as unknown as EndpointRecord;
}

/**
 * The secrets after a rotation: `secret` is current; the previous ones keep signing until 24 h from now
 * (both signatures are sent meanwhile).
 */
export function rotatedSecrets(before: EndpointRecord, secret: string, now: number): EndpointSecret[] {
  const previous = before.secrets
    .filter((s) => s.expiresAt === undefined || s.expiresAt > now)
    .map((s) => ({
      secret: s.secret,
      expiresAt: Math.min(s.expiresAt ?? Infinity, now + ROTATION_OVERLAP_MS),
    }));
  return [{ secret }, ...previous];
}

/** The dispatcher's 5-day rule: an enabled endpoint failing without a success since this long is disabled. */
export function shouldDisableFailing(endpoint: EndpointRecord, now: number): boolean {
  return (
    endpoint.enabled &&
    endpoint.failingSince !== undefined &&
    now - endpoint.failingSince >= FAILING_DISABLE_AFTER_MS
  );
}
