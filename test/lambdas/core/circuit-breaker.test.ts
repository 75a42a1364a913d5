import { CircuitBreaker, CircuitOpenError } from '../../../lambdas/core/circuit-breaker';

describe('circuit breaker', () => {
  const failing = () => Promise.reject(new Error('down'));

  it('opens after the threshold, fails fast while open, and closes after a successful trial', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1000, now: () => now });
    await expect(breaker.call(failing)).rejects.toThrow('down');
    await expect(breaker.call(failing)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    const work = jest.fn(() => Promise.resolve('ok'));
    await expect(breaker.call(work)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(work).not.toHaveBeenCalled();
    now = 1000;
    expect(breaker.state).toBe('half_open');
    await expect(breaker.call(work)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('re-opens at once when the half-open trial fails', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 10, now: () => now });
    await expect(breaker.call(failing)).rejects.toThrow();
    now = 10;
    await expect(breaker.call(failing)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
  });

  it('ignores errors the caller does not count as failures', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 10, now: () => 0 });
    await expect(breaker.call(failing, () => false)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });
});
