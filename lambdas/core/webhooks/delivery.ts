import * as z from 'zod';
import type { EventEnvelope } from '../events/envelope';

/**
 * Webhook deliveries, as the domain sees them: one delivery per (event, subscribed endpoint), with an id
 * derived from both (`deliveryIdOf`), so a duplicate stream record or a relay retry finds the delivery
 * already there and sends nothing twice. `round` starts at 0 and grows on every operator resend, recover
 * or redrive; queue messages carry the round they were sent for, so a stale message is dropped.
 * Storage: adapters/webhook-delivery-store.ts.
 */

export const MAX_ATTEMPTS = 8;
export const RESPONSE_BODY_LIMIT = 1024;
export const DELIVERY_RETENTION_SECONDS = 30 * 24 * 3600;

export const deliveryMessageSchema = z.strictObject({
  deliveryId: z.string().min(1).max(80),
  round: z.number().int().nonnegative(),
});
export type DeliveryMessage = z.output<typeof deliveryMessageSchema>;

/** pending: scheduled or in flight; succeeded: a 2xx; failed: stopped early (410, endpoint disabled or deleted); dead: attempts exhausted, in the DLQ. */
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead';

export interface DeliveryRecord {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly endpointId: string;
  readonly envelope: EventEnvelope;
  readonly status: DeliveryStatus;
  readonly round: number;
  /** Attempts made in the current round. */
  readonly attempts: number;
  /** True once the first queue message of the current round was sent. */
  readonly enqueued: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastAttemptAt?: string;
  readonly lastResponseStatus?: number | null;
  readonly nextAttemptAt?: string | null;
  readonly reason?: string;
  /** ms; set while an attempt is in flight (see `claim`). */
  readonly leaseUntil?: number;
}

export interface AttemptLog {
  readonly deliveryId: string;
  readonly round: number;
  readonly attempt: number;
  readonly at: string;
  /** HTTP status, or null when no response came back (timeout, connection error). */
  readonly responseStatus: number | null;
  readonly durationMs: number;
  /** First 1 KiB of the response body, or the error for a failed request. */
  readonly responseBody: string;
  readonly outcome: 'succeeded' | 'retry' | 'failed' | 'dead';
  readonly nextAttemptAt: string | null;
}

export interface DlqEntry {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly endpointId: string;
  readonly deadAt: string;
  readonly attempts: number;
  readonly lastResponseStatus: number | null;
}

export class DeliveryNotFoundError extends Error {
  override name = 'DeliveryNotFoundError';
}
export class DeliveryInFlightError extends Error {
  override name = 'DeliveryInFlightError';
}

export const deliveryIdOf = (eventId: string, endpointId: string) => `${eventId}_${endpointId}`;

export function truncateBody(text: string): string {
  return text.length > RESPONSE_BODY_LIMIT ? `${text.slice(0, RESPONSE_BODY_LIMIT)}…[truncated]` : text;
}
