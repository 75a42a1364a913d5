import { CheckoutSagaRepository } from '../../adapters/checkout-saga-repository';
import type { TableContext } from '../../adapters/table';
import { compensateCheckout } from './checkout-compensation';

/**
 * The sweeper of abandoned checkouts. A checkout whose process died after
 * reserving stock, and that its client never retried, would hold that stock
 * for good. Run on a schedule in every cell, the sweeper compensates the
 * sagas its region started that are still `reserved` long after any request
 * could still be working on them: the stock comes back, in the same audited,
 * state-guarded transaction a failing request uses. It cannot know whether
 * the payment provider authorized, so it marks the outcome unknown: a late
 * retry with the same Idempotency-Key asks the provider under the same key
 * and gets that authorization back; without a retry it lapses at the provider.
 */

/** No request runs this long (API Gateway stops at 29 s; the idempotency lock lapses after 30 s). */
export const ABANDONED_AFTER_MS = 5 * 60_000;
/** Sagas handled per run: a run must finish well inside the function's timeout. */
export const SWEEP_BATCH = 25;

export interface SweepResult {
  /** Checkout ids compensated by this run. */
  readonly compensated: readonly string[];
  /** Sagas that completed or were compensated by someone else between the query and the write. */
  readonly alreadySettled: number;
}

export async function sweepAbandonedCheckouts(
  table: TableContext,
  options: { readonly olderThanMs?: number; readonly limit?: number } = {},
): Promise<SweepResult> {
  const sagas = new CheckoutSagaRepository(table);
  const cutoff = table.now() - (options.olderThanMs ?? ABANDONED_AFTER_MS);
  const open = await sagas.openStartedBefore(cutoff, options.limit ?? SWEEP_BATCH);
  const compensated: string[] = [];
  let alreadySettled = 0;
  for (const saga of open) {
    const done = await compensateCheckout(table, saga, {
      correlationId: `sweep-${saga.checkoutId}-${saga.attempt}`,
      actor: 'system:checkout-sweeper',
      reason: `abandoned: reserved since ${saga.startedAt}`,
      providerOutcomeUnknown: true,
    });
    if (done) compensated.push(saga.checkoutId);
    else alreadySettled += 1;
  }
  return { compensated, alreadySettled };
}
