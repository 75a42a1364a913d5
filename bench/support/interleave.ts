import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { median, percentile, round } from '../../loadtests/stats';

/**
 * BENCH ONLY. Sequential latency measurement of several variants of the same
 * request, interleaved in a fresh shuffled order each round, so machine noise
 * (other processes, GC, DynamoDB Local's JIT) and position effects hit them alike.
 */

export interface Variant {
  /** Untimed work before each timed run (e.g. bringing a twin table up to date). */
  readonly prepare?: (round: number) => Promise<void>;
  readonly run: (round: number) => Promise<void>;
}

export interface Stats {
  readonly n: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** p50 of the time each request spent inside DynamoDB calls, and of the rest. */
  readonly dynamoP50: number;
  readonly outsideDynamoP50: number;
}

/**
 * Wall time during which at least one call of a wrapped document client was
 * in flight, since the last reset: `send` from call to settle, so the SDK's
 * own per-call work counts as DynamoDB time, for the API and the raw replay alike.
 */
export class DynamoClock {
  private elapsed = 0;
  private inFlight = 0;
  private since = 0;

  /** @param now milliseconds, monotonic. @default performance.now */
  constructor(private readonly now: () => number = () => performance.now()) {}

  wrap(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
    const send = async (command: never) => {
      if (this.inFlight++ === 0) this.since = this.now();
      try {
        return await client.send(command);
      } finally {
        if (--this.inFlight === 0) this.elapsed += this.now() - this.since;
      }
    };
    return new Proxy(client, {
      get: (target, property, receiver) =>
        property === 'send' ? send : Reflect.get(target, property, receiver),
    });
  }

  reset(): void {
    this.elapsed = 0;
  }

  get ms(): number {
    return this.elapsed;
  }
}

function statsOf(times: readonly number[], dynamo: readonly number[]): Stats {
  const busy = times.reduce((a, b) => a + b, 0);
  const p = (xs: readonly number[], q: number) => round(percentile(xs, q), 2)!;
  return {
    n: times.length,
    rps: Math.round((times.length / busy) * 1000),
    p50: p(times, 50),
    p99: p(times, 99),
    dynamoP50: p(dynamo, 50),
    outsideDynamoP50: p(
      times.map((t, i) => t - dynamo[i]!),
      50,
    ),
  };
}

export interface MeasureOptions {
  readonly clock: DynamoClock;
  /** Untimed work before each round (e.g. creating the carts the round checks out). */
  readonly setup?: (round: number) => Promise<void>;
  /** Number of the first round, so rounds of later runs get their own numbers (and keys). @default 0 */
  readonly firstRound?: number;
}

export async function measureInterleaved<K extends string>(
  rounds: number,
  variants: Record<K, Variant>,
  options: MeasureOptions,
): Promise<Record<K, Stats>> {
  const names = Object.keys(variants) as K[];
  const times = new Map<K, number[]>(names.map((k) => [k, []]));
  const dynamo = new Map<K, number[]>(names.map((k) => [k, []]));
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const first = options.firstRound ?? 0;
  for (let i = first; i < first + rounds; i += 1) {
    await options.setup?.(i);
    const order = [...names].sort(() => random() - 0.5);
    for (const name of order) {
      const variant = variants[name];
      await variant.prepare?.(i);
      options.clock.reset();
      const started = performance.now();
      await variant.run(i);
      times.get(name)!.push(performance.now() - started);
      dynamo.get(name)!.push(options.clock.ms);
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, statsOf(times.get(name)!, dynamo.get(name)!)]),
  ) as Record<K, Stats>;
}

/** How much a variant adds to the baseline's p50, in percent (rounded). */
export function addedPercent(variant: Stats, baseline: Stats): number {
  return Math.round(((variant.p50 - baseline.p50) / baseline.p50) * 100);
}

/** The median of several runs' figures, with the runs kept for the report. */
export interface RunsStats extends Stats {
  readonly runs: readonly Stats[];
}

/**
 * `runs` separate interleaved measurements of `rounds` rounds each; every
 * figure is the median over the runs (the guide: medians of several runs).
 */
export async function measureRuns<K extends string>(
  runs: number,
  rounds: number,
  variants: Record<K, Variant>,
  options: Omit<MeasureOptions, 'firstRound'>,
): Promise<Record<K, RunsStats>> {
  const results: Record<K, Stats>[] = [];
  for (let run = 0; run < runs; run += 1)
    results.push(await measureInterleaved(rounds, variants, { ...options, firstRound: run * rounds }));
  const names = Object.keys(variants) as K[];
  return Object.fromEntries(
    names.map((name) => {
      const perRun = results.map((result) => result[name]);
      const mid = (pick: (s: Stats) => number) => round(median(perRun.map(pick)), 2)!;
      const combined: RunsStats = {
        n: perRun.reduce((sum, s) => sum + s.n, 0),
        rps: Math.round(median(perRun.map((s) => s.rps))),
        p50: mid((s) => s.p50),
        p99: mid((s) => s.p99),
        dynamoP50: mid((s) => s.dynamoP50),
        outsideDynamoP50: mid((s) => s.outsideDynamoP50),
        runs: perRun,
      };
      return [name, combined];
    }),
  ) as Record<K, RunsStats>;
}

/** Per run, how much the variant added to the baseline's p50 (percent); and their median. */
export function addedPercentOverRuns(
  variant: RunsStats,
  baseline: RunsStats,
): { readonly median: number; readonly runs: number[] } {
  const runs = variant.runs.map((s, i) => addedPercent(s, baseline.runs[i]!));
  return { median: Math.round(median(runs)), runs };
}
