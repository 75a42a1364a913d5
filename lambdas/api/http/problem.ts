import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isProblemError, PROBLEM_TYPES, type ProblemCode, ProblemError } from '../../core/errors';
import { BODY_TOO_LARGE_DETAIL } from './body-limit';
import type { AppEnv } from './env';

/**
 * RFC 9457 problem details. Every error response of the API (and of routes
 * other modules mount, e.g. webhooks and events) goes through `problemResponse`.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: ProblemCode): string {
  return `urn:commerce:problem:${code}`;
}

export function problemBody(error: ProblemError, correlationId: string, instance?: string) {
  return {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    detail: error.detail,
    code: error.code,
    correlationId,
    ...(instance ? { instance } : {}),
    ...error.extensions,
  };
}

export function problemResponse(c: Context<AppEnv>, error: ProblemError): Response {
  const body = problemBody(error, c.get('correlationId') ?? 'unknown', c.req.path);
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: {
      'Content-Type': PROBLEM_CONTENT_TYPE,
      'Cache-Control': 'no-store',
      ...(c.get('correlationId') ? { 'x-correlation-id': c.get('correlationId') } : {}),
      ...error.headers,
    },
  });
}

export function problem(
  code: ProblemCode,
  detail: string,
  extensions?: Record<string, unknown>,
  headers?: Record<string, string>,
): ProblemError {
  return new ProblemError(code, detail, extensions, headers);
}

/** Hono `onError`: known problems as they are, framework errors as their 4xx, anything else a bare 500. */
export function handleError(error: Error, c: Context<AppEnv>): Response {
  if (isProblemError(error)) return problemResponse(c, error);
  if (error instanceof HTTPException) {
    if (error.status === 413) return problemResponse(c, problem('payload_too_large', BODY_TOO_LARGE_DETAIL));
    if (error.status < 500) return problemResponse(c, problem('validation_failed', error.message));
  }
  if (clientWentAway(error, c)) {
    // Not an error of the API: the client closed the connection before its request arrived. Nobody
    // reads this answer; a retry with the same Idempotency-Key runs again (nothing was claimed).
    c.get('log')?.info('client closed the request', { reason: error.message });
    return problemResponse(
      c,
      problem('validation_failed', 'the request did not arrive completely: the client closed the connection'),
    );
  }
  c.get('log')?.error('unhandled error', {
    error: { name: error.name, message: error.message, stack: error.stack },
  });
  return problemResponse(
    c,
    problem('internal_error', 'the request failed unexpectedly; quote the correlationId when reporting it'),
  );
}

/** The request stream failed because the client went away (node's `aborted`, the request signal aborted). */
function clientWentAway(error: Error, c: Context<AppEnv>): boolean {
  return (
    c.req.raw.signal?.aborted === true ||
    (error.message === 'aborted' && (error as NodeJS.ErrnoException).code === 'ECONNRESET')
  );
}

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEM_TYPES, code);
}
