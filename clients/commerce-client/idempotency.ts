import { monotonicFactory } from 'ulid';

/**
 * Idempotency keys and intent ids are ULIDs: random enough to never collide, sortable by creation
 * time, and made from `crypto.getRandomValues`, which browsers offer on plain-http kiosk pages too
 * (unlike `crypto.randomUUID`). Monotonic, so intents created in the same millisecond keep the order
 * they were created in.
 */
const nextUlid = monotonicFactory();

export function newIdempotencyKey(): string {
  return nextUlid();
}

/**
 * The key of one step of a multi-request intent, derived from the intent's key: the same intent
 * always sends the same key for the same step, on every retry and after every restart, and two
 * steps never share a key (the API answers 422 to one key reused with another body).
 */
export function stepKey(intentKey: string, step: string): string {
  return `${intentKey}:${step}`;
}
