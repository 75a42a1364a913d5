import {
  BulkheadPolicy,
  bulkhead,
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  fullJitterGenerator,
  handleWhen,
  type IBackoff,
  type IRetryBackoffContext,
  type RetryPolicy,
  retry,
  TimeoutPolicy,
  TimeoutStrategy,
  timeout,
} from 'cockatiel';
import * as z from 'zod';

/**
 * The client's resilience policies, all from cockatiel (retry, timeout, circuit breaker, bulkhead):
 * this module only chooses their settings and says which failures each one handles.
 */
export const resilienceOptionsSchema = z.strictObject({
  /** Retries after the first attempt of a safe call (a read, or a write with its Idempotency-Key). @default 4 */
  maxRetries: z.number().int().min(0).max(20).default(4),
  /** Ceiling of the first backoff; the n-th retry waits a uniformly random time below `initialDelayMs × 2^(n-1)`. @default 100 */
  initialDelayMs: z.number().int().min(1).default(100),
  /** No backoff ceiling exceeds this. @default 5000 */
  maxDelayMs: z.number().int().min(1).default(5000),
  /** The longest `Retry-After` waited inside one call; a longer one returns the answer to the caller. @default 30000 */
  maxRetryAfterMs: z.number().int().min(0).default(30_000),
  /** Time allowed for one attempt (connect, headers and body); then the attempt fails as a timeout. @default 8000 */
  attemptTimeoutMs: z.number().int().min(1).default(8000),
  /** Consecutive failures that open a cell's circuit. @default 3 */
  breakerThreshold: z.number().int().min(1).default(3),
  /** How long an open circuit refuses calls before one trial call (half-open). @default 10000 */
  breakerHalfOpenAfterMs: z.number().int().min(1).default(10_000),
  /** Attempts in flight at once across the client. @default 16 */
  maxConcurrent: z.number().int().min(1).default(16),
  /** Attempts waiting for a slot; more are refused (and retried after a backoff). @default 64 */
  maxQueued: z.number().int().min(0).default(64),
  /** Minimum time between two health probes of the primary cell while serving from another. @default 5000 */
  failbackProbeIntervalMs: z.number().int().min(1).default(5000),
  /** Minimum time between two attempts to load the discovery document after one failed. @default 5000 */
  discoveryRetryMs: z.number().int().min(1).default(5000),
});
export type ResilienceOptions = z.input<typeof resilienceOptionsSchema>;
export type Resilience = z.output<typeof resilienceOptionsSchema>;

export function resolveResilience(options: ResilienceOptions | undefined): Resilience {
  const parsed = resilienceOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `resilience.${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`Invalid commerce client options: ${problems.join('; ')}`);
  }
  return parsed.data;
}

export type FailureReason =
  | 'network' // no HTTP answer: connection refused or reset, DNS, offline
  | 'timeout' // no complete answer within attemptTimeoutMs
  | 'circuit_open' // the cell's breaker refuses calls
  | 'bulkhead_full' // too many calls in flight in this client
  | 'cell_answer' // a 5xx: the cell cannot serve this now
  | 'not_writer' // a live cell that is not its zone's writer now: the write goes to another cell
  | 'try_later'; // 409 idempotency_key_in_use / conflict, 429: the request itself must wait

/** One attempt that did not produce a final answer. Policies decide on it; it never reaches the caller. */
export class AttemptFailure extends Error {
  override name = 'AttemptFailure';
  /** Set by the transport when the failure moved the call to a cell it has not tried yet: retry at once. */
  retryNow = false;

  constructor(
    readonly reason: FailureReason,
    readonly cell: string | undefined,
    message: string,
    readonly details: {
      readonly response?: Response;
      readonly code?: string;
      readonly retryAfterMs?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }

  /** Counts against the cell: its breaker, and the trigger to move to the zone's other cell. */
  get isCellFailure(): boolean {
    return this.reason === 'network' || this.reason === 'timeout' || this.reason === 'cell_answer';
  }

  /**
   * Moves the call to the zone's next cell. `not_writer` does without charging the breaker: the cell is
   * healthy and becomes the writer again at a promotion or failback, when an open circuit would keep the
   * client away from it.
   */
  get movesToAnotherCell(): boolean {
    return this.isCellFailure || this.reason === 'circuit_open' || this.reason === 'not_writer';
  }
}

/** Handled by the retry policy: every attempt failure, unless the server asked to wait longer than we may. */
export function isRetryable(error: Error, options: Resilience): boolean {
  if (!(error instanceof AttemptFailure)) return false;
  return (error.details.retryAfterMs ?? 0) <= options.maxRetryAfterMs || error.retryNow;
}

/**
 * Delay before retry number `attempt` (1-based): full jitter (uniform in [0, ceiling)) with the
 * ceiling doubling from `initialDelayMs` up to `maxDelayMs` (cockatiel's fullJitterGenerator), but
 * never less than the `Retry-After` the server sent, and zero when the failure moved the call to a
 * cell it had not tried yet (waiting would only delay the failover).
 */
export function retryBackoff(options: Resilience) {
  const jitter = new ExponentialBackoff({
    generator: fullJitterGenerator,
    initialDelay: options.initialDelayMs,
    maxDelay: options.maxDelayMs,
  });
  return new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined>(
    (context, state) => {
      const step = state ? state.next(context) : jitter.next();
      const failure = 'error' in context.result ? context.result.error : undefined;
      if (failure instanceof AttemptFailure && failure.retryNow) return { delay: 0, state: step };
      const retryAfter = failure instanceof AttemptFailure ? (failure.details.retryAfterMs ?? 0) : 0;
      return { delay: Math.max(step.duration, retryAfter), state: step };
    },
  );
}

export function createRetryPolicy(options: Resilience): RetryPolicy {
  return retry(
    handleWhen((error) => isRetryable(error, options)),
    { maxAttempts: options.maxRetries, backoff: retryBackoff(options) },
  );
}

/** One breaker per cell: opens after `breakerThreshold` consecutive cell failures. */
export function createCellBreaker(options: Resilience): CircuitBreakerPolicy {
  return circuitBreaker(
    handleWhen((error) => error instanceof AttemptFailure && error.isCellFailure),
    {
      halfOpenAfter: options.breakerHalfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    },
  );
}

/** Cooperative: the attempt's fetch gets the policy's AbortSignal and stops reading when it fires. */
export function createAttemptTimeout(options: Resilience): TimeoutPolicy {
  return timeout(options.attemptTimeoutMs, TimeoutStrategy.Cooperative);
}

export function createBulkhead(options: Resilience): BulkheadPolicy {
  return bulkhead(options.maxConcurrent, options.maxQueued);
}

export { BulkheadPolicy, TimeoutPolicy };
