import { measureThroughput, throughputRuns } from '../../../bench/support/throughput';

describe('closed-loop throughput', () => {
  it('sends exactly the total, never more than `concurrency` at once', async () => {
    let inFlight = 0;
    let most = 0;
    const result = await measureThroughput(4, 37, async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
    });
    expect(result.n).toBe(37);
    expect(most).toBe(4);
    expect(result.rps).toBeGreaterThan(0);
  });

  it('rotates which variant goes first in each run and keeps every run', async () => {
    const order: string[] = [];
    const variant = (name: string) => async () => {
      order.push(name);
    };
    // One request per variant per run, so the order of calls is the order of the variants.
    const result = await throughputRuns(3, 1, 1, { a: variant('a'), b: variant('b'), c: variant('c') });
    expect(order).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
    expect(result.a.runs).toHaveLength(3);
    expect(result.a.n).toBe(3);
  });
});
