/**
 * W3C Trace Context for every call: one trace id per logical call (shared by its retries and its
 * failover to another cell) and a new parent span id per attempt. The same trace id is sent as
 * `x-correlation-id` unless the caller set one, so the API's logs, events and audit entries for
 * every attempt carry one id.
 */

function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  return Array.from(buffer, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function nonZero(hex: () => string): string {
  for (;;) {
    const value = hex();
    if (!/^0+$/.test(value)) return value; // all-zero ids are invalid in Trace Context
  }
}

export function newTraceId(): string {
  return nonZero(() => randomHex(16));
}

export function newSpanId(): string {
  return nonZero(() => randomHex(8));
}

/** `00-<trace id>-<span id>-01` (version 00, sampled). */
export function traceparent(traceId: string, spanId: string = newSpanId()): string {
  return `00-${traceId}-${spanId}-01`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a caller-supplied traceparent, so our attempts join the caller's trace. */
export function traceIdOf(header: string | null): string | undefined {
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  return match && !/^0+$/.test(match[1]!) ? match[1] : undefined;
}
