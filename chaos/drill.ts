import type { FlowState } from '../loadtests/flow';
import type { AwsDrillContext } from './aws/context';
import type { FaultInjector } from './injectors/types';
import type { DrillCheck } from './local/checks';
import type { LocalDrillContext } from './local/context';
import type { DrillDefinition } from './definition';
import type { Criterion } from './metrics';

export type { DrillDefinition, RecoveryMode } from './definition';

/**
 * The drill interface. A drill is one file in chaos/drills/<name>.ts that
 * exports a `Drill`, and one entry in the list of chaos/drills/index.ts
 * (pinned by test/chaos/drills/index.test.ts, the way cdk-nag pins a pack's
 * rules). Nothing else changes to add one: the CLI, the reports and the
 * orchestrator read the list.
 *
 * A drill has two halves:
 * - `definition`: what it means, environment-free (hypothesis, fault,
 *   recovery mode, cloud-time phases, expectations in words). Reports and
 *   runbooks quote it.
 * - `local`: how it runs on the local topology (SIMULATED infrastructure,
 *   production code). Given a `LocalDrillContext` (the booted topology, the
 *   zone, a control-API client, the shopper's credentials, the predicted RTO,
 *   the time scale), it returns a `LocalDrillRun`: its fault injectors, its
 *   phase timings and the checks that judge it. It composes the shared pieces
 *   of chaos/local/ (canaries, the acknowledged-orders check, timings) and
 *   adds its own checks. Omit it for a drill that cannot run locally yet.
 *
 * What every run gets without asking (chaos/local/plan.ts): the shopper load
 * on the zone endpoint, the steady-state checks, the per-second observer
 * (serving cell, replication lag), the RTO and failback figures for
 * `failover` drills, the rollback of every injector (also on error or
 * Ctrl-C), and, before any check runs, a bounded wait for replication to
 * quiesce (chaos/local/quiescence.ts). A check whose answer depends on
 * replication reports `inconclusive` rather than failing when that wait ran
 * out (`settled` in chaos/local/checks.ts).
 */

/** Phase lengths in the drill's own (already scaled) seconds. */
export interface DrillTimings {
  readonly warmupSeconds: number;
  readonly faultSeconds: number;
  readonly settleSeconds: number;
  /**
   * A failover drill's settle period ends once traffic is back on the failed cell (and held), with
   * `settleSeconds` as its bound: the short (CI) variant times what the fault needs, not an observation window.
   * @default false
   */
  readonly settleEndsAtFailback?: boolean;
}

/** How a drill runs on the local topology; what `Drill.local` returns. */
export interface LocalDrillRun {
  /** The faults, injected in order after the warm-up and always rolled back. */
  readonly injectors: readonly FaultInjector[];
  /** `zone/region` of the cell the fault takes out: `failover` drills measure RTO and failback against it. */
  readonly failedCell?: string;
  readonly timings: DrillTimings;
  /** Run in order after the load stopped and replication quiesced (or its bound ran out). */
  readonly checks: readonly DrillCheck[];
  /** Initial state of each load iteration (e.g. the payment method a fault needs); read when it starts. */
  readonly iterationDefaults?: () => Omit<FlowState, 'iterationId'>;
  /** Replaces the shared steady-state checks (chaos/local/steady-state.ts). */
  readonly steadyState?: () => Promise<Criterion[]>;
  /** Said in every report of this drill (e.g. what the simulation cannot show). */
  readonly notes?: readonly string[];
  /**
   * Seconds a `failover` drill keeps the fault after traffic recovered on the survivor, before rolling
   * it back (a longer split gives writes on the survivor to merge at failback).
   * @default 2
   */
  readonly holdAfterRecoverySeconds?: number;
}

/**
 * How a drill runs on a deployment (`run <drill> --aws`, chaos/aws/): its
 * faults, from the injectors the context offers for the resources preflight
 * resolved. Load (k6 on ECS), steady state and abort alarms (CloudWatch),
 * confirmation, rollback and the report are the same for every drill.
 */
export interface AwsDrillRun {
  readonly injectors: readonly FaultInjector[];
  /** `zone/region` of the cell the fault takes out: `failover` drills measure RTO against it. */
  readonly failedCell?: string;
  readonly notes?: readonly string[];
}

export interface Drill {
  readonly definition: DrillDefinition;
  /** Prepare a local run; may call the topology (e.g. register a webhook endpoint). */
  readonly local?: (context: LocalDrillContext) => Promise<LocalDrillRun>;
  /** Its run on a deployment; omit for a drill that cannot run on AWS yet (`run --aws` refuses it). */
  readonly aws?: (context: AwsDrillContext) => AwsDrillRun;
}
