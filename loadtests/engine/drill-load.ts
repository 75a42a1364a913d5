import type { RunSummary, SecondBucket, ThresholdResult } from '../runner';
import type { MergedLoadResult } from './merge';
import {
  type DistributedLoadRun,
  type LoadEngine,
  type RunOptions,
  runDistributedLoad,
  type TaskStatus,
} from './orchestrator';
import type { LoadPlan } from './plan';
import { type MergedTimeline, mergeTimelines, type TaskTimeline } from './timeline';

/**
 * A distributed load run as a drill's load (local processes or k6 tasks on
 * ECS): started in the background, its clock started once every generator
 * runs, stopped when the drill ends (or aborts), then collected and merged
 * into what the drill orchestrator reads: a RunSummary whose per-second
 * buckets are the generators' merged timelines on the drill's clock, and a
 * DrillLoad section for the report (per generator, per region, overall).
 * `done` never rejects: a failed run resolves with `error` set, so the drill
 * can abort and still roll back and report.
 */

/** The report's load section (report.json `load`). */
export interface DrillLoad {
  readonly engine: string;
  readonly runId: string;
  readonly profile: string;
  /** How the run ended: completed, aborted (the drill stopped it) or deadline. */
  readonly end: string;
  /** Where the report's per-second timeline comes from. */
  readonly timelineSource: string;
  readonly result: MergedLoadResult;
  /** Requests per second on the drill's clock, per load region (the clients' view from each region). */
  readonly regionTimelines: Readonly<Record<string, readonly SecondBucket[]>>;
  /** For failover drills, filled in by the drill: the RTO each region's clients saw (null: not recovered). */
  readonly regionRtoSeconds?: Readonly<Record<string, number | null>>;
  /** Generators whose timeline is missing or unreadable, requests before the clock started. */
  readonly problems: readonly string[];
}

export interface DrillLoadOutcome {
  readonly summary: RunSummary;
  readonly load?: DrillLoad;
  /** Set when the run failed (a generator did not start, a stop failed): the drill must abort. */
  readonly error?: string;
}

export interface DrillLoadRun {
  /** Stop every generator (they still write their results). */
  stop(): void;
  readonly done: Promise<DrillLoadOutcome>;
  /** Epoch milliseconds when every generator was running (the drill's second 0); undefined before. */
  origin(): number | undefined;
}

export interface DrillLoadOptions extends Omit<RunOptions, 'signal' | 'onStatus' | 'timelines'> {
  /**
   * The drill clock's origin (epoch ms) when the caller decides it (local processes start together on
   * `go`). @default - the first poll at which every generator reports running (ECS tasks)
   */
  readonly origin?: () => number | undefined;
  /** Called once, when the clock starts. */
  readonly onClockStart?: (originEpochMs: number) => void;
}

const emptySummary = (plan: LoadPlan, stopReason: RunSummary['stopReason']): RunSummary => ({
  profile: plan.profile,
  baseUrl: plan.baseUrl,
  stopReason,
  durationMs: 0,
  iterationsStarted: 0,
  iterationsDropped: 0,
  requests: 0,
  failures: 0,
  errorRate: 0,
  p50Ms: undefined,
  p95Ms: undefined,
  p99Ms: undefined,
  servedBy: {},
  failuresByStep: {},
  buckets: [],
  thresholds: [],
  passed: false,
});

/** The orchestrator's RunSummary from the merged generators: counts from their summaries, seconds from their timelines. */
export function runSummaryOf(plan: LoadPlan, run: DistributedLoadRun, timeline: MergedTimeline): RunSummary {
  const { overall } = run.result;
  const servedBy: Record<string, number> = {};
  for (const bucket of timeline.overall)
    for (const [cell, n] of Object.entries(bucket.servedBy)) servedBy[cell] = (servedBy[cell] ?? 0) + n;
  const thresholds: ThresholdResult[] = overall.thresholds.map((t) => ({
    name: t.name,
    limit: t.limit,
    actual: t.actual,
    ok: t.ok === true,
  }));
  return {
    profile: plan.profile,
    baseUrl: plan.baseUrl,
    stopReason: run.end === 'completed' ? 'completed' : 'stopped',
    durationMs: Math.round(overall.requests === 0 ? 0 : (overall.requests / overall.throughputRps) * 1000),
    iterationsStarted: overall.iterations,
    iterationsDropped: overall.droppedIterations,
    requests: overall.requests,
    failures: overall.failures,
    errorRate: overall.errorRate,
    p50Ms: overall.latencyMs.p50?.valueMs,
    p95Ms: overall.latencyMs.p95?.valueMs,
    p99Ms: overall.latencyMs.p99?.valueMs,
    servedBy,
    failuresByStep: {},
    buckets: timeline.overall,
    thresholds,
    passed: run.result.passed,
  };
}

/** Failed requests per `<step> <status>` from the timelines (status 0: unknown or transport error). */
export function failuresByStep(timelines: readonly TaskTimeline[]): Record<string, number> {
  const failures: Record<string, number> = {};
  for (const row of timelines.flatMap((t) => t.rows)) {
    if (row.ok) continue;
    const key = `${row.step} ${row.status ?? 0}`;
    failures[key] = (failures[key] ?? 0) + 1;
  }
  return failures;
}

export function startDrillLoad(engine: LoadEngine, plan: LoadPlan, options: DrillLoadOptions): DrillLoadRun {
  const controller = new AbortController();
  let statusOrigin: number | undefined;
  const now = options.now ?? Date.now;
  const onStatus = (statuses: readonly TaskStatus[]) => {
    if (options.origin || statusOrigin !== undefined || statuses.length === 0) return;
    if (statuses.every((s) => s.phase === 'running')) {
      statusOrigin = now();
      options.onClockStart?.(statusOrigin);
    }
  };
  const origin = () => options.origin?.() ?? statusOrigin;
  const done = (async (): Promise<DrillLoadOutcome> => {
    let run: DistributedLoadRun;
    try {
      run = await runDistributedLoad(engine, plan, {
        ...options,
        signal: controller.signal,
        onStatus,
        timelines: true,
      });
    } catch (error) {
      return { summary: emptySummary(plan, 'stopped'), error: (error as Error).message };
    }
    const timelines = (run.timelines ?? []).flatMap((t) => (t.timeline ? [t.timeline] : []));
    const problems = (run.timelines ?? []).flatMap((t) => (t.problem ? [t.problem] : []));
    problems.push(...run.result.missing.map((m) => `no summary from ${m.taskId}: ${m.reason}`));
    // A run stopped before every generator ran has no clock: put its requests on the earliest one's.
    const clock =
      origin() ??
      timelines.reduce((min, t) => t.rows.reduce((m, r) => Math.min(m, r.startEpochMs), min), now());
    const timeline = mergeTimelines(timelines, clock);
    if (timeline.beforeOrigin > 0)
      problems.push(
        `${timeline.beforeOrigin} request(s) started before the drill's clock and are left out of its timeline`,
      );
    const summary = { ...runSummaryOf(plan, run, timeline), failuresByStep: failuresByStep(timelines) };
    const load: DrillLoad = {
      engine: run.engine,
      runId: plan.runId,
      profile: plan.profile,
      end: run.end,
      timelineSource: `${timelines.length}/${run.result.tasks.length + run.result.missing.length} generator timelines (${engine.name})`,
      result: run.result,
      regionTimelines: timeline.byRegion,
      problems,
    };
    return { summary, load };
  })();
  return {
    stop: () => controller.abort('drill ended'),
    done,
    origin,
  };
}
