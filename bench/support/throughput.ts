import { median, percentile, round } from '../../loadtests/stats';

/**
 * BENCH ONLY. Closed-loop throughput: `concurrency` clients each send their
 * next request as soon as the previous one answers, until `total` have been
 * sent. Variants take turns, in a rotated order each run, and every figure is
 * the median over the runs.
 */

export interface Throughput {
  readonly n: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

export async function measureThroughput(
  concurrency: number,
  total: number,
  send: () => Promise<void>,
): Promise<Throughput> {
  const latencies: number[] = [];
  let started = 0;
  const client = async () => {
    while (started < total) {
      started += 1;
      const t = performance.now();
      await send();
      latencies.push(performance.now() - t);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - t0) / 1000;
  return {
    n: latencies.length,
    rps: Math.round(latencies.length / seconds),
    p50: round(percentile(latencies, 50), 2)!,
    p99: round(percentile(latencies, 99), 2)!,
  };
}

export interface ThroughputRuns extends Throughput {
  readonly runs: readonly Throughput[];
}

export async function throughputRuns<K extends string>(
  runs: number,
  concurrency: number,
  total: number,
  variants: Record<K, () => Promise<void>>,
): Promise<Record<K, ThroughputRuns>> {
  const names = Object.keys(variants) as K[];
  const results = new Map<K, Throughput[]>(names.map((name) => [name, []]));
  for (let run = 0; run < runs; run += 1) {
    const order = names.map((_, i) => names[(i + run) % names.length]!);
    for (const name of order)
      results.get(name)!.push(await measureThroughput(concurrency, total, variants[name]));
  }
  return Object.fromEntries(
    names.map((name) => {
      const perRun = results.get(name)!;
      const mid = (pick: (t: Throughput) => number) => round(median(perRun.map(pick)), 2)!;
      const combined: ThroughputRuns = {
        n: perRun.reduce((sum, t) => sum + t.n, 0),
        rps: Math.round(mid((t) => t.rps)),
        p50: mid((t) => t.p50),
        p99: mid((t) => t.p99),
        runs: perRun,
      };
      return [name, combined];
    }),
  ) as Record<K, ThroughputRuns>;
}
