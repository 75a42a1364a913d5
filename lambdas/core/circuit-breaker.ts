/**
 * A small circuit breaker for calls to an external dependency: after
 * `failureThreshold` consecutive failures it opens for `openMs`, failing fast;
 * then one trial call (half-open) decides whether it closes again.
 */
export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly now: () => number;
}

export class CircuitOpenError extends Error {
  override name = 'CircuitOpenError';
  constructor(readonly retryAfterMs: number) {
    super(`circuit open; retry in ${retryAfterMs} ms`);
  }
}

export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | undefined;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): 'closed' | 'open' | 'half_open' {
    if (this.openedAt === undefined) return 'closed';
    return this.options.now() - this.openedAt >= this.options.openMs ? 'half_open' : 'open';
  }

  async call<T>(work: () => Promise<T>, isFailure: (error: unknown) => boolean = () => true): Promise<T> {
    if (this.state === 'open') {
      throw new CircuitOpenError(this.openedAt! + this.options.openMs - this.options.now());
    }
    try {
      const result = await work();
      this.consecutiveFailures = 0;
      this.openedAt = undefined;
      return result;
    } catch (error) {
      if (isFailure(error)) {
        this.consecutiveFailures += 1;
        if (this.state === 'half_open' || this.consecutiveFailures >= this.options.failureThreshold) {
          this.openedAt = this.options.now();
        }
      }
      throw error;
    }
  }
}
