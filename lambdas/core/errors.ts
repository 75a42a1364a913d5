/**
 * The API's error vocabulary. Every failure a client can see has a stable
 * `code` (documented, never renamed) and an HTTP status; the HTTP layer turns a
 * `ProblemError` into an RFC 9457 `application/problem+json` body.
 * `transient` problems may go away on a retry with the same Idempotency-Key.
 * `stored` refusals are recorded under the key and replayed to a retry (a declined payment stays declined:
 * an outside party decided it). Every other refusal is answered but not stored: it was decided from the
 * data this cell holds, which after a failover may lag the other cell's (a cart whose lines have not
 * replicated yet looks empty), so a retry with the same key decides again instead of replaying a verdict
 * that may have been wrong. Refusals write nothing, so deciding again never duplicates an effect.
 */

export const PROBLEM_TYPES = {
  validation_failed: { status: 400, title: 'The request is invalid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  idempotency_key_missing: { status: 400, title: 'An Idempotency-Key header is required' },
  idempotency_key_invalid: { status: 400, title: 'The Idempotency-Key header is invalid' },
  invalid_cursor: { status: 400, title: 'The pagination cursor is invalid' },
  unauthorized: { status: 401, title: 'A valid bearer token is required' },
  payment_declined: { status: 402, title: 'The payment was declined', stored: true },
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
  not_writer: {
    status: 503,
    title: "This cell is not its zone's writer right now; retry (the zone endpoint routes to the writer)",
    transient: true,
  },
  busy: {
    status: 503,
    title: 'Too many concurrent writes to the same data; retry shortly with the same Idempotency-Key',
    transient: true,
  },
  internal_error: { status: 500, title: 'Internal error', transient: true },
} as const satisfies Record<string, { status: number; title: string; transient?: true; stored?: true }>;

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

/** A refusal recorded under the request's Idempotency-Key and replayed to a retry (see above). */
export function isStoredRefusal(error: unknown): error is ProblemError {
  return isProblemError(error) && 'stored' in PROBLEM_TYPES[error.code];
}
