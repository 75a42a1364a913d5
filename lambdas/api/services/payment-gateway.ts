import { CircuitOpenError } from '../../core/circuit-breaker';
import { ProblemError } from '../../core/errors';
import {
  type AuthorizeRequest,
  type AuthorizeResult,
  type KeyedAuthorization,
  PaymentUnavailableError,
} from '../../core/payment';
import type { ResolvedDependencies } from '../dependencies';

/**
 * The payment provider behind a timeout and a circuit breaker. Transient
 * failures (provider error, timeout, open circuit) surface as 503
 * `payment_unavailable` with Retry-After; declines are results, not failures.
 */

/** 503 `payment_unavailable`, telling the saga whether the provider may have acted (not part of the body). */
export class PaymentUnavailableProblem extends ProblemError {
  constructor(
    detail: string,
    retryAfterSeconds: number,
    readonly outcomeUnknown: boolean,
  ) {
    super('payment_unavailable', detail, {}, { 'Retry-After': String(retryAfterSeconds) });
  }
}
export class PaymentGateway {
  constructor(private readonly deps: ResolvedDependencies) {}

  authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    return this.guarded((signal) => this.deps.paymentProvider.authorize(request, signal));
  }

  void(authorizationId: string): Promise<void> {
    return this.guarded((signal) => this.deps.paymentProvider.void(authorizationId, signal));
  }

  findByKey(idempotencyKey: string): Promise<KeyedAuthorization | undefined> {
    return this.guarded((signal) => this.deps.paymentProvider.findByKey(idempotencyKey, signal));
  }

  private async guarded<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.deps.paymentCircuit.call(
        () => withTimeout(call, this.deps.paymentTimeoutMs),
        (error) => error instanceof PaymentUnavailableError,
      );
    } catch (error) {
      if (error instanceof CircuitOpenError) {
        throw new PaymentUnavailableProblem(
          'the payment provider is failing; checkout is paused briefly',
          Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
          false,
        );
      }
      if (error instanceof PaymentUnavailableError) {
        throw new PaymentUnavailableProblem(
          `the payment provider did not answer (${error.message})`,
          5,
          error.outcomeUnknown,
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
      reject(new PaymentUnavailableError(`timed out after ${ms} ms`, true));
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
