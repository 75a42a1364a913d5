/**
 * The payment-provider port. Authorizations carry an idempotency key (the
 * checkout id and attempt), as real providers accept, so a retried checkout
 * never charges twice; voids are idempotent by authorization id. A key whose
 * authorization was voided answers `voided` (a provider replays the same,
 * cancelled authorization for the same key): that attempt is spent.
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
  | { readonly status: 'declined'; readonly reason: string }
  | { readonly status: 'voided'; readonly authorizationId: string };

/** What the provider holds under one idempotency key. */
export interface KeyedAuthorization {
  readonly authorizationId: string;
  readonly voided: boolean;
}

export interface PaymentProvider {
  authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult>;
  void(authorizationId: string, signal: AbortSignal): Promise<void>;
  /**
   * The authorization made under `idempotencyKey`, if any. Reconciliation finds an attempt's authorization
   * this way when the attempt never sold, so nothing recorded it (Stripe: search PaymentIntents by the key
   * kept in their metadata; Adyen: by merchantReference).
   */
  findByKey(idempotencyKey: string, signal: AbortSignal): Promise<KeyedAuthorization | undefined>;
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
