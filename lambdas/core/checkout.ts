import { sha256Hex } from './canonical-json';
import type { CartLine } from './cart';

/**
 * The checkout saga's state, as the domain sees it: reserve stock -> authorize payment -> place order,
 * compensated (stock back, authorization voided) when a step after the reservation fails. Its ids derive
 * from the intent (the customer and the request's Idempotency-Key), so a retry of the same intent, after
 * a crash or in another cell, resumes the same saga and converges on the same order.
 */
export type SagaState = 'reserved' | 'completed' | 'compensated';

export interface CheckoutSaga {
  readonly checkoutId: string;
  readonly state: SagaState;
  readonly cartId: string;
  readonly currency: string;
  readonly lines: readonly CartLine[];
  /**
   * Part of the provider's idempotency key. A retry of a compensated checkout takes the next one, so
   * the provider does not replay its earlier failure, unless that failure left the outcome unknown.
   */
  readonly attempt: number;
  /** Set when compensated after a provider timeout: the next attempt asks under the same key. */
  readonly providerOutcomeUnknown?: boolean;
  /** Recorded when the saga completes (with the order), not before. */
  readonly authorizationId?: string;
}

/** The checkout (saga) id of an intent: a customer's request under one Idempotency-Key. */
export function checkoutIdFor(customerId: string, idempotencyKey: string): string {
  return sha256Hex(`${customerId}\n${idempotencyKey}`).slice(0, 26);
}

/** The order a checkout places: one per checkout, whoever runs it. */
export function orderIdFor(checkoutId: string): string {
  return `ord_${checkoutId}`;
}

/** The payment provider's idempotency key of one authorization attempt of a checkout. */
export function providerKeyFor(saga: Pick<CheckoutSaga, 'checkoutId' | 'attempt'>): string {
  return `${saga.checkoutId}-${saga.attempt}`;
}
