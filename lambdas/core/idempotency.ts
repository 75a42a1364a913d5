import * as z from 'zod';
import { sha256Hex } from './canonical-json';

/**
 * Idempotency semantics (Stripe; IETF httpapi idempotency-key draft codes),
 * as pure decisions over the stored record. The DynamoDB store in
 * adapters/idempotency-store.ts applies them with conditional writes.
 */

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** Records are kept 24 h (DynamoDB TTL on `expiresAt`). */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 3600;
/** A running request holds the key this long; after it a crashed request's key can be taken over. */
export const IDEMPOTENCY_LOCK_MS = 30_000;

/** 1-255 visible ASCII characters. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be 1-255 visible ASCII characters');

/** Method, path and body: the same key with any other request is a misuse (422). */
export function requestFingerprint(method: string, path: string, body: string): string {
  return sha256Hex(`${method.toUpperCase()} ${path}\n${body}`);
}

export interface StoredResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

export type IdempotencyRecord =
  | {
      readonly state: 'in_progress';
      readonly fingerprint: string;
      readonly lockToken: string;
      readonly lockedUntil: number;
      /** The region of the cell that holds the lock (absent on records written before regions were kept). */
      readonly region?: string;
    }
  | { readonly state: 'completed'; readonly fingerprint: string; readonly response: StoredResponse };

export type IdempotencyDecision =
  | { readonly kind: 'replay'; readonly response: StoredResponse }
  | { readonly kind: 'reused' }
  | { readonly kind: 'in_use' }
  | { readonly kind: 'take_over' };

/**
 * What to do with a key that already has a record, in the cell of `region`. A lock held by the other cell
 * of the zone (replicated here) is taken over at once: this cell only asks while it is the zone's writer,
 * so the other is fenced and its run either committed (then its answer arrives and replays) or never will;
 * a second run converges on the same order, event ids and authorization (ids derive from the intent).
 */
export function decide(
  record: IdempotencyRecord,
  fingerprint: string,
  now: number,
  region: string,
): IdempotencyDecision {
  if (record.fingerprint !== fingerprint) return { kind: 'reused' };
  if (record.state === 'completed') return { kind: 'replay', response: record.response };
  if (record.region !== undefined && record.region !== region) return { kind: 'take_over' };
  return record.lockedUntil > now ? { kind: 'in_use' } : { kind: 'take_over' };
}
