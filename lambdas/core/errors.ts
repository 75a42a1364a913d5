/**
 * The API's error vocabulary. Every failure a client can see has a stable
 * `code` (documented, never renamed) and an HTTP status; the HTTP layer turns a
 * `ProblemError` into an RFC 9457 `application/problem+json` body.
 * `transient` problems may go away on a retry with the same Idempotency-Key,
 * so they release the key; every other answer to a mutating request is final
 * and replayed to a retry (Stripe's semantics: a declined payment stays declined).
 */

export const PROBLEM_TYPES = {
  validation_failed: { status: 400, title: 'The request is invalid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  idempotency_key_missing: { status: 400, title: 'An Idempotency-Key header is required' },
  idempotency_key_invalid: { status: 400, title: 'The Idempotency-Key header is invalid' },
  invalid_cursor: { status: 400, title: 'The pagination cursor is invalid' },
  unauthorized: { status: 401, title: 'A valid bearer token is required' },
  payment_declined: { status: 402, title: 'The payment was declined' },
  forbidden: { status: 403, title: 'The token lacks the scope or ownership this request needs' },
  home_zone_unknown: {
    status: 403,
    title: "The token does not say which residency zone holds the customer's personal data",
  },
  not_found: { status: 404, title: 'No such resource' },
  route_not_found: { status: 404, title: 'No such route' },
  method_not_allowed: { status: 405, title: 'The method is not allowed on this route' },
  idempotency_key_in_use: {
    status: 409,
    title: 'A request with this Idempotency-Key is still running',
    transient: true,
  },
  conflict: {
    status: 409,
    title: 'The resource changed or is in a state that forbids this request',
    transient: true,
  },
  insufficient_stock: { status: 409, title: 'Not enough stock for the requested quantity' },
  cart_empty: { status: 409, title: 'The cart has no line items' },
  already_exists: { status: 409, title: 'The resource already exists' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body must be application/json' },
  misdirected_request: {
    status: 421,
    title: "The customer's personal data lives in another residency zone",
  },
  idempotency_key_reused: {
    status: 422,
    title: 'The Idempotency-Key was already used with a different request',
  },
  payment_unavailable: {
    status: 503,
    title: 'The payment provider is unavailable; retry later',
    transient: true,
  },
  internal_error: { status: 500, title: 'Internal error', transient: true },
} as const satisfies Record<string, { status: number; title: string; transient?: true }>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;

export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    /** Extra members of the problem body (e.g. `zone`, `endpoint`, `errors`). */
    readonly extensions: Record<string, unknown> = {},
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(`${code}: ${detail}`);
    this.status = PROBLEM_TYPES[code].status;
    this.title = PROBLEM_TYPES[code].title;
  }
}

export function isProblemError(error: unknown): error is ProblemError {
  return error instanceof ProblemError;
}

/** A client-visible failure that is the request's final answer (replayed to a retry with the same key). */
export function isFinalProblem(error: unknown): error is ProblemError {
  return isProblemError(error) && !('transient' in PROBLEM_TYPES[error.code]);
}
