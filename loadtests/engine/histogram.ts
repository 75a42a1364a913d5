import { PROFILES } from '../profiles';

/**
 * A fixed-bucket latency histogram that every load generator exports, so that
 * the summaries of several generators can be merged. Percentiles cannot be
 * merged (the p95 of two p95s is no p95), bucket counts can: they add up.
 *
 * Why fixed buckets and not an HdrHistogram library: a k6 task can only hand
 * counters to its end-of-test summary (handleSummary sees aggregates, never
 * raw samples), so the layout has to be something k6 counters express: one
 * counter per bucket, the same bounds in k6 and in Node. This module is
 * bundled into the k6 scripts, so it imports nothing from Node.
 *
 * Bucket i counts latencies in (bound[i-1], bound[i]] milliseconds; the last
 * bucket counts everything above the last bound. The bounds run from 1 ms to
 * 60 s with at most ~17 % between neighbours above 10 ms, and include every
 * profile's latency threshold, so "p95 < 400 ms" is decided exactly at a
 * bucket edge instead of being interpolated.
 */

const MANTISSAS = [
  1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.8, 2, 2.2, 2.5, 2.8, 3, 3.5, 4, 4.5, 5, 5.5, 6, 7, 8, 9,
];
const MAX_BOUND_MS = 60_000;

function latencyBounds(): number[] {
  const bounds = new Set<number>([MAX_BOUND_MS]);
  for (let decade = 1; decade < MAX_BOUND_MS; decade *= 10) {
    for (const mantissa of MANTISSAS) {
      const bound = Math.round(mantissa * decade);
      if (bound <= MAX_BOUND_MS) bounds.add(bound);
    }
  }
  for (const profile of Object.values(PROFILES)) {
    bounds.add(profile.thresholds.p95Ms);
    bounds.add(profile.thresholds.p99Ms);
  }
  return [...bounds].sort((a, b) => a - b);
}

/** Upper bounds (ms, inclusive) of every bucket but the overflow bucket. */
export const LATENCY_BOUNDS_MS: readonly number[] = latencyBounds();
/** Buckets, the overflow bucket included. */
export const LATENCY_BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** The bucket a latency falls in (binary search over the bounds). */
export function latencyBucket(latencyMs: number): number {
  let low = 0;
  let high = LATENCY_BOUNDS_MS.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (latencyMs <= LATENCY_BOUNDS_MS[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Name of the k6 counter of bucket `index` (k6 metric names allow [a-zA-Z0-9_] only). */
export function latencyBucketMetric(index: number): string {
  const bound = LATENCY_BOUNDS_MS[index];
  return `flow_latency_le_${bound === undefined ? 'inf' : bound}`;
}

export interface LatencyHistogram {
  readonly boundsMs: readonly number[];
  /** One count per bucket: boundsMs.length + 1 entries, the last one for latencies above every bound. */
  readonly counts: readonly number[];
}

export function emptyHistogram(): LatencyHistogram {
  return { boundsMs: LATENCY_BOUNDS_MS, counts: new Array<number>(LATENCY_BUCKETS).fill(0) };
}

export function histogramOf(latenciesMs: readonly number[]): LatencyHistogram {
  const counts = new Array<number>(LATENCY_BUCKETS).fill(0);
  for (const latency of latenciesMs) counts[latencyBucket(latency)]!++;
  return { boundsMs: LATENCY_BOUNDS_MS, counts };
}

export function histogramTotal(histogram: LatencyHistogram): number {
  return histogram.counts.reduce((sum, n) => sum + n, 0);
}

export function sameLayout(a: LatencyHistogram, b: LatencyHistogram): boolean {
  return a.boundsMs.length === b.boundsMs.length && a.boundsMs.every((bound, i) => bound === b.boundsMs[i]);
}

/** Bucket-wise sum; undefined when the layouts differ (histograms from different script versions). */
export function addHistograms(histograms: readonly LatencyHistogram[]): LatencyHistogram | undefined {
  const [first, ...rest] = histograms;
  if (!first || rest.some((h) => !sameLayout(first, h))) return undefined;
  const counts = first.counts.map((n, i) => n + rest.reduce((sum, h) => sum + (h.counts[i] ?? 0), 0));
  return { boundsMs: first.boundsMs, counts };
}

/** Nearest rank of percentile p (0-100) among `total` values, as loadtests/stats.ts computes it. */
export function nearestRank(total: number, p: number): number {
  return Math.min(total, Math.max(1, Math.ceil((p / 100) * total)));
}

/**
 * The interval holding the nearest-rank percentile p: the bucket its rank
 * falls in. Exact as an interval; its width is the bucket's. The overflow
 * bucket's upper end is Infinity.
 */
export function histogramPercentile(
  histogram: LatencyHistogram,
  p: number,
): { readonly lowerMs: number; readonly upperMs: number } | undefined {
  const total = histogramTotal(histogram);
  if (total === 0) return undefined;
  const rank = nearestRank(total, p);
  let cumulative = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    cumulative += histogram.counts[i]!;
    if (cumulative >= rank) {
      return {
        lowerMs: i === 0 ? 0 : histogram.boundsMs[i - 1]!,
        upperMs: histogram.boundsMs[i] ?? Number.POSITIVE_INFINITY,
      };
    }
  }
  return undefined;
}

/** Values at or below `limitMs`, when the limit is a bucket bound (undefined otherwise). */
export function countAtOrBelow(histogram: LatencyHistogram, limitMs: number): number | undefined {
  const index = histogram.boundsMs.indexOf(limitMs);
  if (index < 0) return undefined;
  return histogram.counts.slice(0, index + 1).reduce((sum, n) => sum + n, 0);
}
