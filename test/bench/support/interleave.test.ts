import {
  addedPercentOverRuns,
  DynamoClock,
  measureRuns,
  type RunsStats,
  type Stats,
} from '../../../bench/support/interleave';

const stats = (p50: number): Stats => ({ n: 1, rps: 1, p50, p99: p50, dynamoP50: 0, outsideDynamoP50: p50 });

describe('interleaved runs', () => {
  it('gives every round of every run its own number, with setup and prepare before each timed run', async () => {
    const calls: string[] = [];
    const result = await measureRuns(
      2,
      3,
      {
        a: {
          prepare: async (round) => {
            calls.push(`prepare a${round}`);
          },
          run: async (round) => {
            calls.push(`run a${round}`);
          },
        },
        b: {
          run: async (round) => {
            calls.push(`run b${round}`);
          },
        },
      },
      {
        clock: new DynamoClock(),
        setup: async (round) => {
          calls.push(`setup ${round}`);
        },
      },
    );

    const rounds = calls.filter((c) => c.startsWith('setup')).map((c) => Number(c.split(' ')[1]));
    expect(rounds).toEqual([0, 1, 2, 3, 4, 5]);
    for (const round of rounds) {
      const at = (entry: string) => calls.indexOf(entry);
      expect(at(`setup ${round}`)).toBeLessThan(at(`prepare a${round}`));
      expect(at(`prepare a${round}`)).toBe(at(`run a${round}`) - 1);
      expect(at(`run b${round}`)).toBeGreaterThan(at(`setup ${round}`));
    }
    expect(result.a.runs).toHaveLength(2);
    expect(result.a.n).toBe(6);
  });

  it('reports the median of the per-run ratios, each run against its own baseline', () => {
    const runsOf = (...p50s: number[]): RunsStats => ({ ...stats(0), runs: p50s.map(stats) });
    // Run 2 is slower for both: its ratio, not its absolute time, is what counts.
    const api = runsOf(1.2, 2.2, 1.3);
    const raw = runsOf(1.0, 2.0, 1.0);
    expect(addedPercentOverRuns(api, raw)).toEqual({ median: 20, runs: [20, 10, 30] });
  });

  it('clocks the time at least one call is in flight, once for overlapping calls', async () => {
    let now = 0;
    const clock = new DynamoClock(() => now);
    const pending: (() => void)[] = [];
    const client = clock.wrap({
      send: () => new Promise<void>((resolve) => pending.push(resolve)),
    } as never);
    const first = client.send({} as never);
    now = 5;
    const second = client.send({} as never);
    now = 20;
    pending[0]!();
    await first;
    now = 30;
    pending[1]!();
    await second;
    // In flight from 0 to 30 (overlapping from 5 to 20): 30, not 20 + 25.
    expect(clock.ms).toBe(30);
    now = 100;
    const third = client.send({} as never);
    now = 104;
    pending[2]!();
    await third;
    expect(clock.ms).toBe(34);
    clock.reset();
    expect(clock.ms).toBe(0);
  });
});
