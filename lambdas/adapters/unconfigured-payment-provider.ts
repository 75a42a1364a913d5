import {
  type AuthorizeResult,
  type KeyedAuthorization,
  type PaymentProvider,
  PaymentUnavailableError,
} from '../core/payment';

/**
 * The default payment provider of a deployment that has not plugged in a
 * real one: every authorization fails as unavailable, so checkout answers 503
 * and releases the stock. A deployed cell must never approve payments through
 * a simulator; implement the PaymentProvider port (lambdas/core/payment.ts)
 * for your provider and inject it in lambdas/api/lambda.ts.
 */
export class UnconfiguredPaymentProvider implements PaymentProvider {
  async authorize(): Promise<AuthorizeResult> {
    throw new PaymentUnavailableError(
      'no payment provider is configured for this deployment; implement the PaymentProvider port (lambdas/core/payment.ts) and inject it in lambdas/api/lambda.ts',
    );
  }

  async void(): Promise<void> {
    // Nothing was ever authorized through this provider.
  }

  async findByKey(): Promise<KeyedAuthorization | undefined> {
    return undefined;
  }
}
