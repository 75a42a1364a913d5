import { type DrillLoad, startDrillLoad } from '../../loadtests/engine/drill-load';
import type { LoadEngine } from '../../loadtests/engine/orchestrator';
import type { LoadPlan } from '../../loadtests/engine/plan';
import { bucketize, type RunSummary, type Sample } from '../../loadtests/runner';
import type { DriverRun, LoadDriver } from '../orchestrator';
import type { Probe } from './probe';

/**
 * An AWS drill's load: k6 tasks on ECS in every load region
 * (loadtests/engine, EcsLoadEngine), started with the drill, stopped when it
 * ends or aborts, collected and merged. The drill's clock starts when every
 * task runs (Fargate takes a minute or more to provision and pull). Until the
 * tasks' timelines are collected after the run, the drill loop steers by the
 * operator's probe (probe.ts), a few requests a second on the zone's failover
 * name; the report's timeline, RTO and figures are the k6 tasks' (the
 * clients' view), the probe's only when no timeline could be collected.
 */

export interface AwsLoadOptions {
  /** Probes per second of the zone endpoint. @default 4 */
  readonly probesPerSecond?: number;
  /** A probe's time-out; a second is reported once its probes have all answered. */
  readonly probeTimeoutMs: number;
  /** How often ECS is asked about the tasks. */
  readonly pollIntervalMs: number;
  /** Bound on the whole load run from the first RunTask. */
  readonly deadlineMs: number;
  /** After StopTask, how long to wait for the tasks to stop and upload. */
  readonly stopGraceMs: number;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
}

export interface AwsLoad {
  readonly driver: LoadDriver;
  /** The load section of the report, once the run is over. */
  load(): DrillLoad | undefined;
}

export function awsLoad(engine: LoadEngine, plan: LoadPlan, probe: Probe, options: AwsLoadOptions): AwsLoad {
  let load: DrillLoad | undefined;
  const now = options.now ?? Date.now;
  const driver: LoadDriver = {
    start: (hooks): DriverRun => {
      const samples: Sample[] = [];
      let origin: number | undefined;
      let reported = -1;
      let probing: NodeJS.Timeout | undefined;
      let ticking: NodeJS.Timeout | undefined;
      const probeOnce = () => {
        if (origin === undefined) return;
        const atMs = now() - origin;
        void probe().then((r) =>
          samples.push({
            atMs,
            step: 'probe',
            status: r.status,
            ok: r.ok,
            latencyMs: r.latencyMs,
            servedBy: r.servedBy,
          }),
        );
      };
      const tick = () => {
        if (origin === undefined) return;
        const elapsed = now() - origin;
        while ((reported + 2) * 1000 + options.probeTimeoutMs <= elapsed) {
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
      const drillLoad = startDrillLoad(engine, plan, {
        pollIntervalMs: options.pollIntervalMs,
        deadlineMs: options.deadlineMs,
        stopGraceMs: options.stopGraceMs,
        ...(options.log ? { log: options.log } : {}),
        now,
        onClockStart: (epochMs) => {
          origin = epochMs;
          options.log?.('every load task runs: the drill clock starts');
          probing = setInterval(probeOnce, 1000 / (options.probesPerSecond ?? 4));
          ticking = setInterval(tick, 100);
        },
      });
      const done: Promise<RunSummary> = drillLoad.done.then((outcome) => {
        clearInterval(probing);
        clearInterval(ticking);
        if (outcome.error) hooks.onFailure?.(outcome.error);
        if (!outcome.load) return outcome.summary;
        if (outcome.summary.buckets.length > 0 || samples.length === 0) {
          load = outcome.load;
          return outcome.summary;
        }
        // No k6 timeline reached the drill: the probe's view is all there is, and the report says so.
        load = {
          ...outcome.load,
          timelineSource: `${outcome.load.timelineSource}; none collected, so the timeline is the operator's probe`,
          problems: [
            ...outcome.load.problems,
            'the RTO is measured on the operator probe, not on the k6 clients: no k6 timeline was collected',
          ],
        };
        return { ...outcome.summary, buckets: bucketize(samples) };
      });
      return {
        stop: () => drillLoad.stop(),
        done,
        elapsedMs: () => (origin === undefined ? 0 : now() - origin),
        load: () => load,
      };
    },
  };
  return { driver, load: () => load };
}
