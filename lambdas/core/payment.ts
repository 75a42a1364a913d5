/**
 * The payment-provider port. Authorizations carry an idempotency key (the
 * checkout id), as real providers accept, so a retried checkout never charges
 * twice; voids are idempotent by authorization id.
 */

export interface AuthorizeRequest {
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly amount: number;
  readonly currency: string;
  /** Opaque payment-method token from the client (e.g. `pm_card_ok`). */
  readonly paymentMethod: string;
}

export type AuthorizeResult =
  | { readonly status: 'authorized'; readonly authorizationId: string }
  | { readonly status: 'declined'; readonly reason: string };

export interface PaymentProvider {
  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult>;
  void(authorizationId: string, signal: AbortSignal): Promise<void>;
}

/** A transient provider failure (5xx, network, timeout): the checkout is compensated and may be retried. */
export class PaymentUnavailableError extends Error {
  override name = 'PaymentUnavailableError';

  /**
   * @param outcomeUnknown the request may have reached the provider and succeeded there (a timeout):
   *   a retry must ask again under the same idempotency key, so a late authorization is found, not doubled.
   */
  constructor(
    message: string,
    readonly outcomeUnknown = false,
  ) {
    super(message);
  }
}
