import { CircuitOpenError } from '../../core/circuit-breaker';
import { ProblemError } from '../../core/errors';
import { type AuthorizeRequest, type AuthorizeResult, PaymentUnavailableError } from '../../core/payment';
import type { ResolvedDependencies } from '../dependencies';

/**
 * The payment provider behind a timeout and a circuit breaker. Transient
 * failures (provider error, timeout, open circuit) surface as 503
 * `payment_unavailable` with Retry-After; declines are results, not failures.
 */
export class PaymentGateway {
  constructor(private readonly deps: ResolvedDependencies) {}

  authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    return this.guarded((signal) => this.deps.paymentProvider.authorize(request, signal));
  }

  void(authorizationId: string): Promise<void> {
    return this.guarded((signal) => this.deps.paymentProvider.void(authorizationId, signal));
  }

  private async guarded<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.deps.paymentCircuit.call(
        () => withTimeout(call, this.deps.paymentTimeoutMs),
        (error) => error instanceof PaymentUnavailableError,
      );
    } catch (error) {
      if (error instanceof CircuitOpenError) {
        throw new ProblemError(
          'payment_unavailable',
          'the payment provider is failing; checkout is paused briefly',
          {},
          { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) },
        );
      }
      if (error instanceof PaymentUnavailableError) {
        throw new ProblemError(
          'payment_unavailable',
          `the payment provider did not answer (${error.message})`,
          {},
          {
            'Retry-After': '5',
          },
        );
      }
      throw error;
    }
  }
}

/** Runs `call` with an abort signal that fires after `ms`; a provider ignoring the signal still times out. */
async function withTimeout<T>(call: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new PaymentUnavailableError(`timed out after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
