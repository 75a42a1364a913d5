import { BrokenCircuitError, BulkheadRejectedError, CircuitState, TaskCancelledError } from 'cockatiel';
import {
  AttemptFailure,
  createAttemptTimeout,
  createBulkhead,
  createCellBreaker,
  createRetryPolicy,
  resolveResilience,
} from '../../../clients/commerce-client/policies';

const network = () => new AttemptFailure('network', 'http://cell-a', 'refused');

/** Runs `execute` under fake timers, collecting the delay cockatiel chose before each retry. */
async function retrySchedule(
  options: Parameters<typeof resolveResilience>[0],
  failures: ReadonlyArray<() => Error>,
): Promise<{ delays: number[]; calls: number; outcome: unknown }> {
  const policy = createRetryPolicy(resolveResilience(options));
  const delays: number[] = [];
  policy.onRetry((event) => delays.push(event.delay));
  let calls = 0;
  const run = policy
    .execute(async () => {
      const failure = failures[calls];
      calls += 1;
      if (failure) throw failure();
      return 'ok';
    })
    .then(
      (value) => value,
      (error: unknown) => error,
    );
  // every backoff is bounded by maxDelayMs or the Retry-After given; step well past the sum
  for (let i = 0; i < 50; i++) await jest.advanceTimersByTimeAsync(10_000);
  return { delays, calls, outcome: await run };
}

describe('retry policy (cockatiel retry + full-jitter exponential backoff)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('waits below initialDelay × 2^(n-1), capped at maxDelay, and never below 0 (jitter bounds)', async () => {
    const ceilings = [100, 200, 400, 800, 1000, 1000];
    for (const random of [0, 0.5, 0.999999]) {
      jest.spyOn(Math, 'random').mockReturnValue(random);
      const { delays, calls, outcome } = await retrySchedule(
        { maxRetries: 6, initialDelayMs: 100, maxDelayMs: 1000 },
        Array(6).fill(network),
      );
      expect(outcome).toBe('ok');
      expect(calls).toBe(7);
      expect(delays).toEqual(ceilings.map((ceiling) => Math.floor(random * ceiling)));
      jest.restoreAllMocks();
    }
  });

  it('spreads retries over the whole jitter window (full jitter, not a fixed schedule)', async () => {
    const { delays } = await retrySchedule(
      { maxRetries: 20, initialDelayMs: 1000, maxDelayMs: 1000 },
      Array(20).fill(network),
    );
    expect(delays).toHaveLength(20);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(1000);
    }
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('gives up after maxRetries and rethrows the last failure', async () => {
    const { calls, outcome } = await retrySchedule({ maxRetries: 2 }, Array(5).fill(network));
    expect(calls).toBe(3);
    expect(outcome).toBeInstanceOf(AttemptFailure);
  });

  it('honours Retry-After: the delay is at least what the server asked', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const { delays, outcome } = await retrySchedule({ maxRetries: 2 }, [
      () =>
        new AttemptFailure('try_later', 'http://cell-a', '409 in use', {
          code: 'idempotency_key_in_use',
          retryAfterMs: 1000,
        }),
      () => new AttemptFailure('cell_answer', 'http://cell-a', '503', { retryAfterMs: 7000 }),
    ]);
    expect(outcome).toBe('ok');
    expect(delays).toEqual([1000, 7000]);
  });

  it('does not retry when Retry-After exceeds maxRetryAfterMs (the answer goes back to the caller)', async () => {
    const { calls, outcome } = await retrySchedule({ maxRetries: 3, maxRetryAfterMs: 2000 }, [
      () => new AttemptFailure('cell_answer', 'http://cell-a', '503', { retryAfterMs: 60_000 }),
    ]);
    expect(calls).toBe(1);
    expect(outcome).toBeInstanceOf(AttemptFailure);
  });

  it('retries at once when the failure moved the call to a cell not yet tried (failover skips the backoff)', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.9);
    const { delays } = await retrySchedule({ maxRetries: 2 }, [
      () => Object.assign(network(), { retryNow: true }),
      network,
    ]);
    expect(delays).toEqual([0, Math.floor(0.9 * 200)]);
  });

  it('never retries an error that is not an attempt failure (a bug, or the caller aborting)', async () => {
    const { calls, outcome } = await retrySchedule({ maxRetries: 3 }, [() => new TypeError('bug')]);
    expect(calls).toBe(1);
    expect(outcome).toBeInstanceOf(TypeError);
  });
});

describe('circuit breaker per cell (cockatiel ConsecutiveBreaker)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const options = resolveResilience({ breakerThreshold: 3, breakerHalfOpenAfterMs: 10_000 });
  const fail = (failure: AttemptFailure) => () => Promise.reject(failure);

  it('opens after the threshold of consecutive cell failures and then refuses without calling', async () => {
    const breaker = createCellBreaker(options);
    for (let i = 0; i < 3; i++)
      await expect(breaker.execute(fail(network()))).rejects.toBeInstanceOf(AttemptFailure);
    expect(breaker.state).toBe(CircuitState.Open);
    const call = jest.fn(async () => 'ok');
    await expect(breaker.execute(call)).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(call).not.toHaveBeenCalled();
  });

  it('half-opens after halfOpenAfter: one trial call; success closes it, failure opens it again', async () => {
    const breaker = createCellBreaker(options);
    for (let i = 0; i < 3; i++) await breaker.execute(fail(network())).catch(() => undefined);
    await jest.advanceTimersByTimeAsync(9_999);
    await expect(breaker.execute(async () => 'ok')).rejects.toBeInstanceOf(BrokenCircuitError);

    await jest.advanceTimersByTimeAsync(1);
    const states: CircuitState[] = [];
    breaker.onStateChange((state) => states.push(state));
    await expect(breaker.execute(fail(network()))).rejects.toBeInstanceOf(AttemptFailure);
    expect(states).toEqual([CircuitState.HalfOpen, CircuitState.Open]);

    await jest.advanceTimersByTimeAsync(10_000);
    await expect(breaker.execute(async () => 'ok')).resolves.toBe('ok');
    expect(breaker.state).toBe(CircuitState.Closed);
  });

  it('counts only cell failures: a 409 in use or a full bulkhead says nothing about the cell', async () => {
    const breaker = createCellBreaker(options);
    for (let i = 0; i < 5; i++) {
      await breaker
        .execute(fail(new AttemptFailure('try_later', 'http://cell-a', '409')))
        .catch(() => undefined);
      await breaker
        .execute(fail(new AttemptFailure('bulkhead_full', 'http://cell-a', 'full')))
        .catch(() => undefined);
    }
    expect(breaker.state).toBe(CircuitState.Closed);
  });

  it('a success resets the count of consecutive failures', async () => {
    const breaker = createCellBreaker(options);
    for (let round = 0; round < 3; round++) {
      await breaker.execute(fail(network())).catch(() => undefined);
      await breaker.execute(fail(network())).catch(() => undefined);
      await breaker.execute(async () => 'ok');
    }
    expect(breaker.state).toBe(CircuitState.Closed);
  });
});

describe('per-attempt timeout and bulkhead', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('aborts the attempt signal after attemptTimeoutMs, not before', async () => {
    const timeout = createAttemptTimeout(resolveResilience({ attemptTimeoutMs: 1500 }));
    let signal: AbortSignal | undefined;
    const run = timeout
      .execute(
        ({ signal: attemptSignal }) =>
          new Promise((_, reject) => {
            signal = attemptSignal;
            attemptSignal.addEventListener('abort', () => reject(new TaskCancelledError('aborted')));
          }),
      )
      .catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(1499);
    expect(signal?.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(signal?.aborted).toBe(true);
    expect(await run).toBeInstanceOf(TaskCancelledError);
  });

  it('refuses attempts beyond maxConcurrent + maxQueued', async () => {
    const bulkhead = createBulkhead(resolveResilience({ maxConcurrent: 1, maxQueued: 1 }));
    let release: () => void = () => undefined;
    const first = bulkhead.execute(() => new Promise<void>((resolve) => (release = resolve)));
    const queued = bulkhead.execute(async () => 'queued');
    await expect(bulkhead.execute(async () => 'third')).rejects.toBeInstanceOf(BulkheadRejectedError);
    release();
    await first;
    await expect(queued).resolves.toBe('queued');
  });

  it('rejects invalid settings with the option name', () => {
    expect(() => resolveResilience({ maxRetries: -1 })).toThrow(/resilience\.maxRetries/);
  });
});
