import { CatalogRepository } from '../../adapters/catalog-repository';
import { commitMutation } from '../../adapters/mutation';
import { CheckoutSagaRepository } from '../../adapters/checkout-saga-repository';
import type { TableContext } from '../../adapters/table';
import type { CheckoutSaga } from '../../core/checkout';
import { isProblemError } from '../../core/errors';

/**
 * Undoing a reserved checkout: the saga moves to `compensated` and its stock
 * comes back, in one audited transaction guarded by the saga's state, so it
 * happens at most once whoever runs it (the request that failed, or the
 * sweeper of abandoned checkouts).
 */
export interface Compensation {
  readonly correlationId: string;
  readonly actor: string;
  readonly reason: string;
  /** The provider may hold an authorization nobody learned of: a retry asks under the same provider key. */
  readonly providerOutcomeUnknown: boolean;
}

/** Commits the compensation; false when the saga had already left `reserved` (completed or compensated). */
export async function compensateCheckout(
  table: TableContext,
  saga: CheckoutSaga,
  compensation: Compensation,
): Promise<boolean> {
  const sagas = new CheckoutSagaRepository(table);
  const catalog = new CatalogRepository(table);
  try {
    await commitMutation(table, {
      correlationId: compensation.correlationId,
      writes: [
        sagas.compensateWrite(saga.checkoutId, compensation.providerOutcomeUnknown),
        ...saga.lines.map((line) => catalog.releaseStock(line.productId, line.quantity)),
      ],
      events: [],
      audit: {
        actor: compensation.actor,
        action: 'checkout.compensate',
        resource: { type: 'checkout', id: saga.checkoutId },
        outcome: 'failure',
        context: {
          reason: compensation.reason,
          cartId: saga.cartId,
          released: saga.lines.map((l) => [l.productId, l.quantity]),
          ...(compensation.providerOutcomeUnknown ? { providerOutcomeUnknown: true } : {}),
        },
      },
    });
    return true;
  } catch (error) {
    // The saga state guard failed: someone else completed or compensated it; nothing moved twice.
    if (isProblemError(error) && error.code === 'conflict') return false;
    throw error;
  }
}
