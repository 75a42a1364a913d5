import { type MergedLoadResult, type MissingTask, mergeTaskSummaries } from './merge';
import { type LoadPlan, planProfile, planTasks, type TaskAssignment } from './plan';
import type { TaskSummary } from './task-summary';
import type { TaskTimeline } from './timeline';

/**
 * Runs a load plan on an engine (ECS tasks in several regions, or local Node
 * processes) and merges what the generators report: start every task, poll
 * until all have stopped (bounded), stop them on abort or when the bound
 * passes, collect their summaries, merge. Whatever happens, every task that
 * was started and not seen stopped is stopped before this returns or throws.
 */

export type TaskPhase = 'pending' | 'running' | 'stopped';

export interface StartedTask {
  readonly assignment: TaskAssignment;
  /** The engine's handle: an ECS task ARN, a process id. */
  readonly handle: string;
}

export interface TaskStatus {
  readonly taskId: string;
  readonly phase: TaskPhase;
  /** Exit code of the load generator (k6: 0 passed, 99 thresholds failed), once stopped. */
  readonly exitCode?: number | undefined;
  readonly stoppedReason?: string | undefined;
}

export interface CollectedSummary {
  readonly assignment: TaskAssignment;
  readonly summary?: TaskSummary;
  /** Why there is no summary (not uploaded, unreadable, invalid). */
  readonly problem?: string;
}

export interface CollectedTimeline {
  readonly assignment: TaskAssignment;
  readonly timeline?: TaskTimeline;
  /** Why there is no timeline (not uploaded, unreadable). */
  readonly problem?: string;
}

export interface LoadEngine {
  /** Shown in logs and reports: `aws-ecs`, `local-process`. */
  readonly name: string;
  /** Starts one generator per assignment; a task that could not start is a failure, not an exception. */
  start(
    plan: LoadPlan,
    tasks: readonly TaskAssignment[],
  ): Promise<{
    readonly started: readonly StartedTask[];
    readonly failures: readonly { readonly taskId: string; readonly reason: string }[];
  }>;
  status(tasks: readonly StartedTask[]): Promise<readonly TaskStatus[]>;
  /** Stops every given task; tries all of them before reporting any failure. */
  stop(tasks: readonly StartedTask[], reason: string): Promise<void>;
  collect(plan: LoadPlan, tasks: readonly TaskAssignment[]): Promise<readonly CollectedSummary[]>;
  /** Each generator's per-request timeline (loadtests/engine/timeline.ts): the clients' view a drill's RTO is measured on. */
  collectTimelines(plan: LoadPlan, tasks: readonly TaskAssignment[]): Promise<readonly CollectedTimeline[]>;
}

export interface RunOptions {
  /** Aborts the run: the tasks are stopped at once (Ctrl-C, a drill's abort condition). */
  readonly signal?: AbortSignal;
  readonly pollIntervalMs: number;
  /** Bound on the whole run from the first start; past it the tasks are stopped. */
  readonly deadlineMs: number;
  /** After a stop, how long to keep polling for the tasks to report stopped. */
  readonly stopGraceMs?: number;
  readonly log?: (line: string) => void;
  /** Injected in tests; resolves early when the signal aborts. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly now?: () => number;
  /** Called after each poll with every task's status (a drill starts its clock once all run). */
  readonly onStatus?: (statuses: readonly TaskStatus[]) => void;
  /** Also collect every generator's timeline after the run. @default false */
  readonly timelines?: boolean;
}

export type RunEnd = 'completed' | 'aborted' | 'deadline';

export interface DistributedLoadRun {
  readonly engine: string;
  readonly end: RunEnd;
  readonly statuses: readonly TaskStatus[];
  readonly result: MergedLoadResult;
  /** Present when RunOptions.timelines asked for them. */
  readonly timelines?: readonly CollectedTimeline[];
}

export class LoadStartError extends Error {
  override name = 'LoadStartError';
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      // One listener per poll would pile up on a long run: remove it once the sleep is over.
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export async function runDistributedLoad(
  engine: LoadEngine,
  plan: LoadPlan,
  options: RunOptions,
): Promise<DistributedLoadRun> {
  const log = options.log ?? (() => {});
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const assignments = planTasks(plan);
  const deadline = now() + options.deadlineMs;
  let started: readonly StartedTask[] = [];
  const stopped = new Set<string>();
  /** Tasks a StopTask already went out for: the final rollback does not repeat it. */
  const stopRequested = new Set<string>();
  let statuses: readonly TaskStatus[] = [];
  let end: RunEnd = 'completed';

  const stopRemaining = async (reason: string) => {
    const running = started.filter(
      (t) => !stopped.has(t.assignment.taskId) && !stopRequested.has(t.assignment.taskId),
    );
    if (running.length === 0) return;
    log(`stopping ${running.length} task(s): ${reason}`);
    await engine.stop(running, reason);
    for (const t of running) stopRequested.add(t.assignment.taskId);
  };
  const poll = async () => {
    statuses = await engine.status(started);
    for (const s of statuses) if (s.phase === 'stopped') stopped.add(s.taskId);
    options.onStatus?.(statuses);
    return started.every((t) => stopped.has(t.assignment.taskId));
  };

  try {
    if (options.signal?.aborted) throw new LoadStartError('aborted before any load task started');
    log(
      `${engine.name}: starting ${assignments.length} task(s) of profile ${plan.profile} (run ${plan.runId})`,
    );
    const start = await engine.start(plan, assignments);
    started = start.started;
    if (start.failures.length > 0) {
      throw new LoadStartError(
        `${start.failures.length} of ${assignments.length} load task(s) did not start: ${start.failures
          .map((f) => `${f.taskId}: ${f.reason}`)
          .join('; ')}. The ${started.length} that started are stopped; fix the cause and run again.`,
      );
    }
    while (!(await poll())) {
      if (options.signal?.aborted) {
        end = 'aborted';
        break;
      }
      if (now() >= deadline) {
        end = 'deadline';
        break;
      }
      await sleep(options.pollIntervalMs, options.signal);
    }
    if (end !== 'completed') {
      // The caller's reason (`drill ended`) lands in each task's stoppedReason (StopTask takes 255 characters).
      const reason =
        typeof options.signal?.reason === 'string' ? options.signal.reason.slice(0, 255) : 'drill aborted';
      await stopRemaining(end === 'aborted' ? reason : 'load run exceeded its time bound');
      // Give the tasks a bounded moment to stop, so their summaries can still land.
      const graceEnd = now() + (options.stopGraceMs ?? 0);
      while (!(await poll()) && now() < graceEnd) await sleep(options.pollIntervalMs);
    }
  } finally {
    // Rollback: nothing this run started outlives it, whatever threw above.
    await stopRemaining('load run ended').catch((error: Error) => {
      log(`STOP FAILED: ${error.message}: stop the tasks of run ${plan.runId} by hand`);
      throw error;
    });
  }

  const collected = await engine.collect(plan, assignments);
  const summaries = collected.flatMap((c) => (c.summary ? [c.summary] : []));
  const missing: MissingTask[] = collected
    .filter((c) => !c.summary)
    .map((c) => ({
      taskId: c.assignment.taskId,
      region: c.assignment.region,
      reason: c.problem ?? 'no summary',
    }));
  const result = mergeTaskSummaries(planProfile(plan), summaries, missing);
  log(`${engine.name}: ${summaries.length}/${assignments.length} summaries collected (${end})`);
  if (!options.timelines) return { engine: engine.name, end, statuses, result };
  const timelines = await engine.collectTimelines(plan, assignments);
  log(
    `${engine.name}: ${timelines.filter((t) => t.timeline).length}/${assignments.length} timelines collected`,
  );
  return { engine: engine.name, end, statuses, result, timelines };
}
