import type { TopologyModel, Zone } from '../../lib/topology';
import type { LoadEngine } from '../../loadtests/engine/orchestrator';
import type { LoadPlan } from '../../loadtests/engine/plan';
import type { AwsDrillRun, Drill, DrillTimings } from '../drill';
import { type Criterion, predictedRto, RTO_TOLERANCE_SECONDS } from '../metrics';
import type { DrillPlan, Verifier } from '../orchestrator';
import { type AwsLoad, awsLoad } from './load';
import { dnsObserver, type Probe, type ResolveCname } from './probe';

/**
 * An AWS drill as the orchestrator's plan: the drill's faults (its AWS half),
 * the k6 load (load.ts), the CloudWatch steady state measured before, the DNS
 * observer, the predicted RTO from the topology model, and the bounds. The
 * same orchestrator as a local drill: rollback in `finally`, on abort, on
 * error and on Ctrl-C.
 */

export interface AwsPlanTimings {
  /** ECS polls. @default 10 s */
  readonly loadPollMs?: number;
  /** Operator probe time-out. @default 3 s */
  readonly probeTimeoutMs?: number;
  /** After StopTask, how long the tasks get to stop and upload. @default 4 min */
  readonly stopGraceMs?: number;
  /** Fargate provisioning and image pulls before the clock starts. @default 10 min */
  readonly startupAllowanceSeconds?: number;
  /** Overrides the definition's phases (tests). @default the definition's cloud seconds */
  readonly phases?: DrillTimings;
  /** Keep the fault this long after recovery. @default 30 s */
  readonly holdAfterRecoverySeconds?: number;
}

export interface AwsPlanInput {
  readonly drill: Drill;
  readonly run: AwsDrillRun;
  readonly model: TopologyModel;
  readonly zone: Zone;
  readonly plan: LoadPlan;
  readonly engine: LoadEngine;
  readonly probe: Probe;
  readonly resolveCname?: ResolveCname;
  readonly steadyState: readonly Criterion[];
  readonly timings?: AwsPlanTimings;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

const PROBES_PER_SECOND = 4;

function awsVerifier(load: AwsLoad, notes: readonly string[]): Verifier {
  return {
    async verify() {
      const result = load.load();
      const missing = result ? result.result.missing.length + result.problems.length : 1;
      const criteria: Criterion[] = [
        {
          name: 'every load task reported its summary and timeline',
          ok: missing === 0,
          ...(missing === 0 ? {} : { inconclusive: true }),
          detail: result
            ? missing === 0
              ? `${result.result.tasks.length} task(s): ${result.timelineSource}`
              : [...result.result.missing.map((m) => `${m.taskId}: ${m.reason}`), ...result.problems].join(
                  '; ',
                )
            : 'the load produced no result',
        },
      ];
      return {
        criteria,
        notes: [
          ...notes,
          'lost acknowledged writes are not measured on AWS: the k6 tasks do not report which orders they were acknowledged; the local drill measures them (npm run drill -- run <drill> --local)',
        ],
      };
    },
  };
}

export function awsDrillPlan(input: AwsPlanInput): DrillPlan {
  const { drill, run, model, zone, timings = {} } = input;
  const def = drill.definition;
  const phases = timings.phases ?? {
    warmupSeconds: def.warmupSeconds,
    faultSeconds: def.faultSeconds,
    settleSeconds: def.settleSeconds,
  };
  const probeTimeoutMs = timings.probeTimeoutMs ?? 3000;
  const load = awsLoad(input.engine, input.plan, input.probe, {
    probesPerSecond: PROBES_PER_SECOND,
    probeTimeoutMs,
    pollIntervalMs: timings.loadPollMs ?? 10_000,
    stopGraceMs: timings.stopGraceMs ?? 240_000,
    deadlineMs:
      (phases.warmupSeconds +
        phases.faultSeconds +
        phases.settleSeconds +
        (timings.startupAllowanceSeconds ?? 600)) *
      1000,
    log: input.log,
    ...(input.now ? { now: input.now } : {}),
  });
  const drillSeconds = phases.warmupSeconds + phases.faultSeconds + phases.settleSeconds;
  return {
    definition: def,
    environment: 'aws',
    timeScale: 1,
    injectors: run.injectors,
    ...(run.failedCell ? { failedCell: run.failedCell } : {}),
    load: load.driver,
    steadyState: async () => [...input.steadyState],
    observer: dnsObserver(zone, input.resolveCname),
    verifier: awsVerifier(load, run.notes ?? []),
    predicted: predictedRto(model, 1),
    rtoToleranceSeconds: RTO_TOLERANCE_SECONDS,
    // The probe failing through the whole fault window is expected; the abort alarms guard the system.
    errorBudget: PROBES_PER_SECOND * (phases.faultSeconds + 60),
    wallClockLimitSeconds:
      drillSeconds + (timings.startupAllowanceSeconds ?? 600) + (timings.stopGraceMs ?? 240_000) / 1000 + 60,
    timings: phases,
    holdAfterRecoverySeconds: timings.holdAfterRecoverySeconds ?? 30,
    log: input.log,
  };
}
