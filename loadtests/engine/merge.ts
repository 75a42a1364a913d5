import type { LoadProfile } from '../profiles';
import { round } from '../stats';
import {
  addHistograms,
  countAtOrBelow,
  histogramPercentile,
  type LatencyHistogram,
  nearestRank,
} from './histogram';
import type { TaskSummary } from './task-summary';

/**
 * Merges the summaries of several load generators into one result per region
 * and overall, with the profile's thresholds decided on the merged figures.
 *
 * Counts (requests, failures, iterations) add up. Latency percentiles do not,
 * so each merged percentile is an interval that provably holds the true
 * nearest-rank percentile of all requests together:
 *  - from the histograms (every task exports the same fixed buckets): the
 *    bucket the percentile's rank falls in, exact as an interval;
 *  - from the tasks' own percentiles: the union's p-th percentile lies between
 *    the smallest and the largest of the tasks' p-th percentiles (for
 *    nearest-rank percentiles; k6 interpolates between neighbouring ranks,
 *    so for k6 tasks this bound can be off by one rank).
 * The two intervals are intersected; the reported value is the interval's
 * upper end, so a merged p95 never understates the latency. When the tasks'
 * bounds contradict the histogram (k6 interpolation), the histogram wins.
 */

export type PercentileBasis = 'histogram' | 'task-percentiles' | 'histogram+task-percentiles';

export interface PercentileEstimate {
  /** The interval's upper end: the figure to read and to compare with a threshold. */
  readonly valueMs: number;
  readonly lowerMs: number;
  readonly upperMs: number;
  readonly basis: PercentileBasis;
}

export interface MergedThreshold {
  readonly name: 'p95' | 'p99' | 'errorRate';
  readonly limit: number;
  readonly actual: number | undefined;
  /** undefined: the merged figures cannot decide it (no histogram and the task bounds straddle the limit). */
  readonly ok: boolean | undefined;
}

export interface LoadScopeResult {
  /** `overall` or a region. */
  readonly scope: string;
  readonly tasks: number;
  readonly requests: number;
  readonly failures: number;
  readonly errorRate: number;
  readonly iterations: number;
  readonly droppedIterations: number;
  /** Requests per second over the longest task's duration (never overstates). */
  readonly throughputRps: number;
  readonly latencyMs: {
    readonly p50: PercentileEstimate | undefined;
    readonly p95: PercentileEstimate | undefined;
    readonly p99: PercentileEstimate | undefined;
    readonly max: number | undefined;
  };
  readonly thresholds: readonly MergedThreshold[];
  /** Every threshold decided and met. */
  readonly passed: boolean;
}

export interface MissingTask {
  readonly taskId: string;
  readonly region: string;
  readonly reason: string;
}

export interface MergedLoadResult {
  readonly profile: string;
  readonly overall: LoadScopeResult;
  readonly regions: readonly LoadScopeResult[];
  /** Each generator on its own (scope = its task id): the per-process / per-task figures. */
  readonly tasks: readonly LoadScopeResult[];
  /** Thresholds each generator saw fail on its own share (its k6 verdict), by task. */
  readonly taskVerdicts: readonly { readonly taskId: string; readonly failedThresholds: readonly string[] }[];
  /** Tasks that were planned but left no readable summary: the result is incomplete. */
  readonly missing: readonly MissingTask[];
  /** The overall thresholds pass and no task is missing. */
  readonly passed: boolean;
}

export function mergePercentile(
  tasks: readonly TaskSummary[],
  p: 50 | 95 | 99,
): PercentileEstimate | undefined {
  const withRequests = tasks.filter((t) => t.requests > 0);
  if (withRequests.length === 0) return undefined;
  const key = `p${p}` as const;
  const own = withRequests.map((t) => t.latencyMs[key]);
  const taskBounds = own.every((v): v is number => v !== undefined)
    ? { lowerMs: Math.min(...own), upperMs: Math.max(...own) }
    : undefined;
  const histogram = mergedHistogram(withRequests);
  const fromHistogram = histogram ? histogramPercentile(histogram, p) : undefined;
  let interval: { lowerMs: number; upperMs: number } | undefined;
  let basis: PercentileBasis;
  if (fromHistogram && taskBounds) {
    const lowerMs = Math.max(fromHistogram.lowerMs, taskBounds.lowerMs);
    const upperMs = Math.min(fromHistogram.upperMs, taskBounds.upperMs);
    interval = lowerMs <= upperMs ? { lowerMs, upperMs } : fromHistogram;
    basis = lowerMs <= upperMs ? 'histogram+task-percentiles' : 'histogram';
  } else if (fromHistogram) {
    interval = fromHistogram;
    basis = 'histogram';
  } else if (taskBounds) {
    interval = taskBounds;
    basis = 'task-percentiles';
  } else {
    return undefined;
  }
  // The overflow bucket has no upper bound: the largest latency seen is one.
  const maxSeen = maxLatency(withRequests);
  const upperMs = Number.isFinite(interval.upperMs) ? interval.upperMs : (maxSeen ?? interval.upperMs);
  return {
    valueMs: round(upperMs, 3)!,
    lowerMs: round(interval.lowerMs, 3)!,
    upperMs: round(upperMs, 3)!,
    basis,
  };
}

function mergedHistogram(tasks: readonly TaskSummary[]): LatencyHistogram | undefined {
  const histograms = tasks.map((t) => t.histogram);
  if (histograms.length === 0 || histograms.some((h) => h === undefined)) return undefined;
  return addHistograms(histograms as LatencyHistogram[]);
}

function maxLatency(tasks: readonly TaskSummary[]): number | undefined {
  const values = tasks.map((t) => t.latencyMs.max).filter((v): v is number => v !== undefined);
  return values.length === 0 ? undefined : Math.max(...values);
}

function percentileThreshold(
  name: 'p95' | 'p99',
  p: 95 | 99,
  estimate: PercentileEstimate | undefined,
  limit: number,
  tasks: readonly TaskSummary[],
): MergedThreshold {
  if (!estimate) return { name, limit, actual: undefined, ok: true };
  let ok: boolean | undefined;
  if (estimate.upperMs < limit) ok = true;
  else if (estimate.lowerMs >= limit) ok = false;
  else {
    // The interval straddles the limit: the histogram decides when the limit is a bucket bound
    // (it is for every profile threshold), counting requests at or below it.
    const histogram = mergedHistogram(tasks.filter((t) => t.requests > 0));
    const atOrBelow = histogram ? countAtOrBelow(histogram, limit) : undefined;
    const total = tasks.reduce((sum, t) => sum + t.requests, 0);
    ok = atOrBelow === undefined ? undefined : atOrBelow >= nearestRank(total, p);
  }
  return { name, limit, actual: estimate.valueMs, ok };
}

export function mergeScope(
  scope: string,
  profile: LoadProfile,
  tasks: readonly TaskSummary[],
): LoadScopeResult {
  const sum = (pick: (t: TaskSummary) => number) => tasks.reduce((total, t) => total + pick(t), 0);
  const requests = sum((t) => t.requests);
  const failures = sum((t) => t.failures);
  const errorRate = requests === 0 ? 0 : failures / requests;
  const longestMs = Math.max(0, ...tasks.map((t) => t.durationMs));
  const p50 = mergePercentile(tasks, 50);
  const p95 = mergePercentile(tasks, 95);
  const p99 = mergePercentile(tasks, 99);
  const t = profile.thresholds;
  const thresholds: MergedThreshold[] = [
    percentileThreshold('p95', 95, p95, t.p95Ms, tasks),
    percentileThreshold('p99', 99, p99, t.p99Ms, tasks),
    { name: 'errorRate', limit: t.maxErrorRate, actual: round(errorRate, 4), ok: errorRate < t.maxErrorRate },
  ];
  return {
    scope,
    tasks: tasks.length,
    requests,
    failures,
    errorRate: round(errorRate, 4)!,
    iterations: sum((t) => t.iterations),
    droppedIterations: sum((t) => t.droppedIterations),
    throughputRps: longestMs === 0 ? 0 : round(requests / (longestMs / 1000), 2)!,
    latencyMs: { p50, p95, p99, max: maxLatency(tasks) },
    thresholds,
    passed: requests > 0 && thresholds.every((x) => x.ok === true),
  };
}

export function mergeTaskSummaries(
  profile: LoadProfile,
  summaries: readonly TaskSummary[],
  missing: readonly MissingTask[] = [],
): MergedLoadResult {
  const regions = [...new Set(summaries.map((s) => s.region))].sort();
  const overall = mergeScope('overall', profile, summaries);
  return {
    profile: profile.name,
    overall,
    regions: regions.map((region) =>
      mergeScope(
        region,
        profile,
        summaries.filter((s) => s.region === region),
      ),
    ),
    tasks: summaries.map((s) => mergeScope(s.taskId, profile, [s])),
    taskVerdicts: summaries.map((s) => ({ taskId: s.taskId, failedThresholds: s.failedThresholds })),
    missing,
    passed: overall.passed && missing.length === 0,
  };
}

/** A few lines for a terminal or a drill report. */
export function formatMergedResult(result: MergedLoadResult): string {
  const pct = (e: PercentileEstimate | undefined) =>
    e ? `${e.valueMs} ms (${e.lowerMs}-${e.upperMs}, ${e.basis})` : 'n/a';
  const line = (s: LoadScopeResult) =>
    `${s.scope.padEnd(16)} tasks=${s.tasks} requests=${s.requests} failed=${s.failures} (${(s.errorRate * 100).toFixed(2)}%) ${s.throughputRps} req/s p50=${pct(s.latencyMs.p50)} p95=${pct(s.latencyMs.p95)} p99=${pct(s.latencyMs.p99)} ${s.passed ? 'PASS' : 'FAIL'}`;
  return [
    `profile ${result.profile}: ${result.passed ? 'PASS' : 'FAIL'}`,
    line(result.overall),
    ...result.regions.map(line),
    ...result.overall.thresholds.map(
      (t) =>
        `  ${t.ok === true ? 'ok  ' : t.ok === false ? 'FAIL' : '??  '} ${t.name} ${t.actual ?? 'n/a'} < ${t.limit}`,
    ),
    ...result.missing.map((m) => `  MISSING ${m.taskId}: ${m.reason}`),
  ].join('\n');
}
