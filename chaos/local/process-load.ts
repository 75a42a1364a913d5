import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DrillLoad, startDrillLoad } from '../../loadtests/engine/drill-load';
import { LocalProcessEngine } from '../../loadtests/engine/local-engine';
import type { WorkerMessage } from '../../loadtests/engine/local-worker';
import { type LoadPlan, parseLoadPlan } from '../../loadtests/engine/plan';
import type { FlowState } from '../../loadtests/flow';
import type { LoadProfile } from '../../loadtests/profiles';
import { bucketize, type LoadRun, type RunSummary, type Sample } from '../../loadtests/runner';
import type { DriverRun, LoadDriver } from '../orchestrator';
import type { LocalDrillContext } from './context';

/**
 * A local drill's load from N Node load-runner processes, through the same
 * engine orchestration the AWS drill uses for its k6 tasks
 * (loadtests/engine: start, poll, stop on abort, collect, merge; here
 * LocalProcessEngine in live mode). The report's timeline and figures come
 * from what the processes wrote (their summaries and timelines, merged as the
 * k6 tasks' are); the live view the drill loop steers by, the acknowledged
 * writes and the per-request samples checks read come over each process's IPC
 * channel. SIMULATED: every process runs on this machine against 127.0.0.1.
 */

/** Most processes a local drill may start (2 cores shared by the topology and the load). */
export const MAX_LOAD_PROCESSES = 8;

/**
 * After the drill stops its load processes (SIGTERM), how long they get to let their in-flight iterations
 * finish (each request bounded by the runner's 5 s time-out, several per shopper iteration) and write their
 * timeline and summary, before SIGKILL. With the engine's default (5 s, one request time-out) none of
 * three processes had written its summary on a loaded machine, and the report lost every figure.
 */
const STOP_GRACE_MS = 15_000;
/** Longest wait for every process to load its modules and say `ready`. */
const READY_BOUND_MS = 60_000;
/** A second is reported once this long has passed after its end (the processes stream every 100 ms). */
const SECOND_GRACE_MS = 300;
/** How often the drill's iteration defaults (e.g. a fault's payment method) are checked and sent on. */
const DEFAULTS_POLL_MS = 50;

/** The drill's load as a load plan: the shopper flow at `shape`, split over `processes` local processes. */
export function processLoadPlan(context: LocalDrillContext, shape: LoadProfile, processes: number): LoadPlan {
  const token = context.shopperHeaders.authorization?.replace(/^Bearer /, '');
  return parseLoadPlan({
    runId: context.runId.toLowerCase(),
    profile: shape.name,
    baseUrl: context.baseUrl,
    flow: 'shopper',
    ...(token ? { token } : {}),
    regions: [{ region: 'local', tasks: processes }],
    shape: {
      startRate: shape.startRate,
      stages: shape.stages.map((s) => ({ ...s })),
      maxInFlight: shape.maxInFlight,
      maxIterations: shape.maxIterations,
    },
  });
}

export interface ProcessLoad {
  readonly driver: LoadDriver;
  run(): LoadRun | undefined;
}

export function processShopperLoad(
  context: LocalDrillContext,
  shape: LoadProfile,
  processes: number,
  totalSeconds: number,
  iterationDefaults?: () => Omit<FlowState, 'iterationId'>,
): ProcessLoad {
  if (!Number.isInteger(processes) || processes < 2 || processes > MAX_LOAD_PROCESSES) {
    throw new Error(
      `load processes: ${processes}; use 2-${MAX_LOAD_PROCESSES} (1 runs the load in the drill's own process)`,
    );
  }
  const plan = processLoadPlan(context, shape, processes);
  let run: LoadRun | undefined;
  const driver: LoadDriver = {
    start: (hooks) => {
      const started = startProcessLoad(plan, processes, totalSeconds, hooks, iterationDefaults);
      run = started;
      return started;
    },
  };
  return { driver, run: () => run };
}

type Hooks = Parameters<LoadDriver['start']>[0];

function definedDefaults(value: Omit<FlowState, 'iterationId'> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

function startProcessLoad(
  plan: LoadPlan,
  processes: number,
  totalSeconds: number,
  hooks: Hooks,
  iterationDefaults?: () => Omit<FlowState, 'iterationId'>,
): LoadRun & DriverRun {
  const resultsDir = mkdtempSync(join(tmpdir(), `drill-load-${plan.runId}-`));
  const samples: Sample[] = [];
  const ready = new Set<string>();
  let origin: number | undefined;
  let reported = -1;
  let ticker: NodeJS.Timeout | undefined;
  let lastDefaults = '';
  let load: DrillLoad | undefined;

  const onMessage = (taskId: string, message: WorkerMessage) => {
    switch (message.type) {
      case 'ready':
        ready.add(taskId);
        if (ready.size === processes && origin === undefined) go();
        return;
      case 'samples':
        if (origin === undefined) return;
        for (const row of message.rows)
          samples.push({
            atMs: row.startEpochMs - origin,
            step: row.step,
            status: row.status ?? 0,
            ok: row.ok,
            latencyMs: row.latencyMs,
            servedBy: row.servedBy,
          });
        return;
      case 'ack':
        if (origin !== undefined)
          hooks.onAcknowledged({ step: message.step, atMs: message.epochMs - origin, state: message.state });
        return;
      default:
        return;
    }
  };
  const engine = new LocalProcessEngine({
    resultsDir,
    maxSecondsPerTask: totalSeconds + 30,
    onMessage,
    killGraceMs: STOP_GRACE_MS,
  });

  const sendDefaults = () => {
    const value = definedDefaults(iterationDefaults?.());
    const serialized = JSON.stringify(value);
    if (serialized === lastDefaults) return;
    lastDefaults = serialized;
    engine.sendAll({ type: 'iteration-defaults', value });
  };
  const tick = () => {
    if (iterationDefaults) sendDefaults();
    if (origin === undefined) return;
    const elapsed = Date.now() - origin;
    while ((reported + 2) * 1000 + SECOND_GRACE_MS <= elapsed) {
      reported++;
      const second = reported;
      hooks.onSecond(
        bucketize(
          samples.filter((x) => Math.floor(x.atMs / 1000) === second),
          second,
        )[second]!,
      );
    }
  };
  // Every process starts its arrivals at once, on the drill's second 0.
  const go = () => {
    if (iterationDefaults) sendDefaults();
    origin = Date.now();
    engine.sendAll({ type: 'go' });
  };
  const readyBound = setTimeout(() => {
    if (origin === undefined)
      hooks.onFailure?.(
        `${ready.size}/${processes} load processes ready after ${READY_BOUND_MS / 1000} s (a loaded machine, or a process that failed to start)`,
      );
  }, READY_BOUND_MS);
  ticker = setInterval(tick, DEFAULTS_POLL_MS);

  const drillLoad = startDrillLoad(engine, plan, {
    pollIntervalMs: 200,
    deadlineMs: (totalSeconds + 90) * 1000,
    stopGraceMs: STOP_GRACE_MS,
    origin: () => origin,
  });
  const done: Promise<RunSummary> = drillLoad.done.then((outcome) => {
    clearInterval(ticker);
    clearTimeout(readyBound);
    ticker = undefined;
    rmSync(resultsDir, { recursive: true, force: true });
    if (outcome.error) hooks.onFailure?.(outcome.error);
    load = outcome.load;
    return outcome.summary;
  });

  return {
    done,
    stop: () => drillLoad.stop(),
    samples: () => samples,
    elapsedMs: () => (origin === undefined ? 0 : Date.now() - origin),
    load: () => load,
  };
}
