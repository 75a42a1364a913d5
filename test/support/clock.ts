/**
 * The start of a test's movable clock: the current time, rounded down to the second. Not a fixed date:
 * DynamoDB Local deletes items by TTL against the real clock, so records a test writes (idempotency
 * records live 24 h) must expire in the real future, as they do in production. A fixed date in the past
 * made DynamoDB Local's TTL sweeper delete idempotency records while their request was still running.
 */
export function testClockStart(): number {
  return Math.floor(Date.now() / 1000) * 1000;
}
