import { randomUUID } from 'node:crypto';

/**
 * Correlation: a client's `x-correlation-id` wins, then the trace id of a W3C
 * `traceparent`, else a fresh id. The id travels into logs, events and audit.
 */

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// version-traceid-parentid-flags; all-zero trace ids are invalid per W3C Trace Context.
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

export interface TraceParent {
  readonly traceId: string;
  readonly parentId: string;
}

export function parseTraceparent(header: string | undefined): TraceParent | undefined {
  const match = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, parentId: match[2]! };
}

export function resolveCorrelationId(
  correlationHeader: string | undefined,
  traceparentHeader: string | undefined,
): { correlationId: string; trace?: TraceParent } {
  const trace = parseTraceparent(traceparentHeader);
  const given = correlationHeader?.trim();
  const correlationId = given && CORRELATION_ID.test(given) ? given : (trace?.traceId ?? randomUUID());
  return trace ? { correlationId, trace } : { correlationId };
}
