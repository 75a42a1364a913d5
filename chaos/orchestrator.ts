import { cpus, loadavg } from 'node:os';
import type { DrillLoad } from '../loadtests/engine/drill-load';
import type { Acknowledgement, RunSummary, SecondBucket } from '../loadtests/runner';
import type { DrillDefinition } from './definition';
import type { FaultInjector } from './injectors/types';
import {
  type Criterion,
  DEFAULT_RECOVERY,
  errorsDuringFailover,
  hostTooSlow,
  inconclusiveWhen,
  measureFailback,
  measureRto,
  type Observation,
  type PredictedRto,
  type RecoveryCriteria,
  RTO_TOLERANCE_SECONDS,
  verdictOf,
} from './metrics';
import { type DrillFigures, type DrillReport, drillId, type HostLoad } from './report';

/**
 * The drill orchestrator: steady state -> load -> inject -> observe every
 * second -> detect recovery -> roll back -> fail back -> report.
 *
 * The rollback of every injector runs in `finally`: on success, on an error
 * anywhere, on an abort (error budget, wall-clock limit) and on Ctrl-C.
 * Injectors' rollbacks are idempotent, so the normal-path rollback and the
 * `finally` one never double-undo.
 */

/**
 * Starts the background load: the in-process Node runner, local load processes
 * or k6 tasks on ECS (loadtests/engine), a fake in tests.
 */
export interface LoadDriver {
  start(hooks: {
    onSecond: (bucket: SecondBucket) => void;
    onAcknowledged: (ack: Acknowledgement) => void;
    /** The load failed (a generator did not start): the drill aborts and rolls back. */
    onFailure?: (reason: string) => void;
  }): DriverRun;
}

export interface DriverRun {
  stop(): void;
  /** The final summary; its buckets are the report's timeline. Never rejects. */
  readonly done: Promise<RunSummary>;
  elapsedMs(): number;
  /** Distributed load (several generators): per generator, per region and merged, for the report. */
  load?(): DrillLoad | undefined;
}

/** What the environment reports each second beside the load (replication lag, routed cell). */
export type Observer = () => Promise<Pick<Observation, 'replicationLagMs' | 'routedTo'>>;

export interface VerifyContext {
  readonly faultStartMs: number | undefined;
  readonly rollbackAtMs: number | undefined;
  readonly timeline: readonly Observation[];
  readonly acknowledged: readonly Acknowledgement[];
  readonly summary: RunSummary | undefined;
}

/** Drill-specific checks after the run (canaries, lost writes, exactly-once at the consumer). */
export interface Verifier {
  /** Called every observed second with the phase (e.g. to write canaries before the fault). */
  onSecond?(second: number, phase: Phase): Promise<void>;
  verify(context: VerifyContext): Promise<{
    figures?: Partial<DrillFigures>;
    criteria?: Criterion[];
    notes?: string[];
  }>;
}

export type Phase = 'steady' | 'fault' | 'recovered' | 'failback';

export interface DrillPlan {
  readonly definition: DrillDefinition;
  readonly environment: 'local' | 'aws';
  /** 1 on AWS; the local topology's time scale otherwise. Catalog durations are multiplied by it. */
  readonly timeScale: number;
  readonly injectors: readonly FaultInjector[];
  /** The cell the fault takes out (`zone/region`), for failover drills. */
  readonly failedCell?: string;
  readonly load: LoadDriver;
  /** Steady-state checks (cell health, a smoke load); the fault is injected only if all pass. */
  readonly steadyState: () => Promise<Criterion[]>;
  readonly observer?: Observer;
  readonly verifier?: Verifier;
  readonly predicted?: PredictedRto;
  /** Allowed RTO overshoot over the prediction (seconds, in the drill's own time). @default RTO_TOLERANCE_SECONDS */
  readonly rtoToleranceSeconds?: number;
  readonly recoveryCriteria?: RecoveryCriteria;
  /** Stop the drill (and roll back) once this many requests failed after the fault. */
  readonly errorBudget: number;
  /** Stop the drill (and roll back) after this long, whatever the phase. */
  readonly wallClockLimitSeconds: number;
  /** Overrides of the catalog timings, in the drill's own (already scaled) seconds. */
  readonly timings?: Partial<Record<'warmupSeconds' | 'faultSeconds' | 'settleSeconds', number>>;
  /** Keep the fault this long after recovery, to show the new state is stable. */
  readonly holdAfterRecoverySeconds?: number;
  /**
   * A failover drill's settle period ends once traffic is back on the failed cell and has stayed there
   * `holdAfterRecoverySeconds`; the settle period is then only its bound. For runs that time what the fault
   * needs (the local short variant, CI), not an observation window after failback.
   * @default false
   */
  readonly settleEndsAtFailback?: boolean;
  readonly signal?: AbortSignal;
  /** Roll back on SIGINT/SIGTERM (the CLI); tests pass `signal` instead. */
  readonly handleSignals?: boolean;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
  /** The host's load averages (1, 5, 15 min) and CPU count; the report records them at start and end. */
  readonly host?: () => { readonly loadAverage: readonly number[]; readonly cpuCount: number };
}

const hostNow = () => ({ loadAverage: loadavg(), cpuCount: cpus().length });

/** Buckets from the load callback, consumed one by one by the drill loop. */
class BucketQueue {
  private readonly items: SecondBucket[] = [];
  private waiter: ((bucket: SecondBucket | undefined) => void) | undefined;
  private closed = false;

  push(bucket: SecondBucket): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(bucket);
    } else this.items.push(bucket);
  }

  close(): void {
    this.closed = true;
    this.waiter?.(undefined);
    this.waiter = undefined;
  }

  next(): Promise<SecondBucket | undefined> {
    const item = this.items.shift();
    if (item || this.closed) return Promise.resolve(item);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

const round1 = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 10) / 10);

export async function runDrill(plan: DrillPlan): Promise<DrillReport> {
  const def = plan.definition;
  const log = plan.log ?? (() => undefined);
  const now = plan.now ?? (() => new Date());
  const host = plan.host ?? hostNow;
  const startedAt = now();
  const hostAtStart = host();
  const scaled = (s: number) => s * plan.timeScale;
  const warmupMs = (plan.timings?.warmupSeconds ?? scaled(def.warmupSeconds)) * 1000;
  const faultMs = (plan.timings?.faultSeconds ?? scaled(def.faultSeconds)) * 1000;
  const settleMs = (plan.timings?.settleSeconds ?? scaled(def.settleSeconds)) * 1000;
  const holdMs = (plan.holdAfterRecoverySeconds ?? 2) * 1000;
  const recovery = plan.recoveryCriteria ?? DEFAULT_RECOVERY;

  const events: { atMs: number; label: string }[] = [];
  const timeline: Observation[] = [];
  const acknowledged: Acknowledgement[] = [];
  const rollbackOutcomes = new Map<FaultInjector, string>();
  const queue = new BucketQueue();
  let abortReason: string | undefined;
  let run: DriverRun | undefined;
  let summary: RunSummary | undefined;
  let steady: Criterion[] = [];
  let faultStartMs: number | undefined;
  let rollbackAtMs: number | undefined;
  let rolledBackAtMs: number | undefined;
  let recoveredAtMs: number | undefined;
  let failedBackAtMs: number | undefined;
  let phase: Phase = 'steady';
  const at = () => run?.elapsedMs() ?? 0;
  const event = (label: string) => {
    events.push({ atMs: Math.round(at()), label });
    log(`[${(at() / 1000).toFixed(1)} s] ${label}`);
  };
  // What an injector's long step is still waiting for: the log only, not the report's events.
  const progress = (line: string) => log(`[${(at() / 1000).toFixed(1)} s]   ${line}`);

  const abort = (reason: string) => {
    if (abortReason) return;
    abortReason = reason;
    log(`ABORT: ${reason}`);
    queue.close();
  };
  const onExternalAbort = () => abort(String(plan.signal?.reason ?? 'aborted'));
  plan.signal?.addEventListener('abort', onExternalAbort, { once: true });
  if (plan.signal?.aborted) onExternalAbort();
  const onSignal = (signal: NodeJS.Signals) => abort(`${signal} received`);
  if (plan.handleSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const wallClock = setTimeout(
    () => abort(`wall-clock limit of ${plan.wallClockLimitSeconds} s reached`),
    plan.wallClockLimitSeconds * 1000,
  );

  const rollbackAll = async () => {
    for (const injector of plan.injectors) {
      try {
        await injector.rollback(progress);
        if (!rollbackOutcomes.has(injector) || rollbackOutcomes.get(injector) !== 'ok') {
          rollbackOutcomes.set(injector, 'ok');
        }
      } catch (error) {
        rollbackOutcomes.set(injector, `FAILED: ${(error as Error).message}`);
      }
    }
  };

  try {
    steady = await plan.steadyState();
    const unmet = steady.filter((c) => !c.ok);
    if (unmet.length > 0) {
      abort(`steady state not met: ${unmet.map((c) => `${c.name} (${c.detail})`).join('; ')}`);
    } else {
      run = plan.load.start({
        onSecond: (bucket) => queue.push(bucket),
        onAcknowledged: (ack) => acknowledged.push(ack),
        onFailure: (reason) => abort(`load failed: ${reason}`),
      });
      void run.done.then(() => queue.close());
      event('load started');
    }

    while (!abortReason) {
      const bucket = await queue.next();
      if (!bucket && !abortReason && phase !== 'failback') {
        // Whatever ended the load (a generator crashed, its bound ran out), the drill cannot go on blind.
        abort(`the load ended before the drill did (phase ${phase})`);
      }
      if (!bucket || abortReason) break;
      const observed = plan.observer ? await plan.observer().catch(() => ({})) : {};
      timeline.push({ ...bucket, ...observed });
      await plan.verifier?.onSecond?.(bucket.second, phase);
      const t = at();

      if (phase === 'steady' && t >= warmupMs) {
        faultStartMs = t;
        phase = 'fault';
        for (const injector of plan.injectors) {
          event(`fault injected: ${injector.describe().fault} on ${injector.describe().target}`);
          await injector.inject(progress);
        }
        continue;
      }
      if (phase === 'fault' || phase === 'recovered') {
        const failed = errorsDuringFailover(timeline, faultStartMs ?? 0, undefined);
        if (failed > plan.errorBudget) {
          abort(
            `error budget exhausted: ${failed} failed requests since the fault (budget ${plan.errorBudget})`,
          );
          break;
        }
      }
      if (phase === 'fault' && def.recovery === 'failover' && plan.failedCell) {
        const rto = measureRto(timeline, faultStartMs ?? 0, plan.failedCell, recovery);
        if (rto.recoveredAtSecond !== undefined) {
          recoveredAtMs = t;
          phase = 'recovered';
          event(`recovered: served by ${rto.servedBy} (RTO ${round1(rto.rtoSeconds)} s)`);
          continue;
        }
      }
      const faultAge = t - (faultStartMs ?? t);
      const holdOver = phase === 'recovered' && recoveredAtMs !== undefined && t - recoveredAtMs >= holdMs;
      if ((phase === 'fault' || phase === 'recovered') && (holdOver || faultAge >= faultMs)) {
        if (phase === 'fault' && def.recovery === 'failover') event('fault window over without recovery');
        await rollbackAll();
        rollbackAtMs = t;
        // A rollback can take a while (a lost region catches up before it serves): failback is measured
        // from its start, the settle period from its end.
        rolledBackAtMs = at();
        phase = 'failback';
        event('fault rolled back');
        continue;
      }
      if (
        phase === 'failback' &&
        plan.settleEndsAtFailback &&
        def.recovery === 'failover' &&
        plan.failedCell
      ) {
        if (failedBackAtMs === undefined) {
          const failback = measureFailback(timeline, rollbackAtMs ?? t, plan.failedCell, recovery);
          if (failback.recoveredAtSecond !== undefined) failedBackAtMs = t;
        }
        if (failedBackAtMs !== undefined && t - failedBackAtMs >= holdMs) {
          event(`settle period over: traffic back on ${plan.failedCell}`);
          break;
        }
      }
      if (phase === 'failback' && t - (rolledBackAtMs ?? rollbackAtMs ?? t) >= settleMs) {
        event('settle period over');
        break;
      }
    }
  } catch (error) {
    abort(`drill error: ${(error as Error).message}`);
  } finally {
    clearTimeout(wallClock);
    plan.signal?.removeEventListener('abort', onExternalAbort);
    if (plan.handleSignals) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    // Always: whatever happened above, no fault outlives the drill.
    await rollbackAll();
    if (faultStartMs !== undefined && rollbackAtMs === undefined) {
      rollbackAtMs = at();
      event('fault rolled back (drill ending)');
    }
    run?.stop();
    summary = await run?.done;
  }

  // Buckets reported live miss requests that were still in flight; the final summary has them all.
  const finalTimeline: Observation[] = (summary?.buckets ?? timeline).map((b) => ({
    ...b,
    ...(timeline[b.second]
      ? { replicationLagMs: timeline[b.second]!.replicationLagMs, routedTo: timeline[b.second]!.routedTo }
      : {}),
  }));
  const figures: Record<string, number | null | undefined> = {
    requests: summary?.requests,
    failedRequests: summary?.failures,
    p50Ms: summary?.p50Ms,
    p99Ms: summary?.p99Ms,
  };
  const criteria: Criterion[] = [...steady];
  const notes: string[] = [];
  const failures = Object.entries(summary?.failuresByStep ?? {});
  if (failures.length > 0) {
    notes.push(`failed requests by step and status: ${failures.map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  }
  if (summary?.notWriterRetries)
    notes.push(
      `${summary.notWriterRetries} writes retried after 503 not_writer (a fenced cell still named by a cached DNS answer; counted once, at their final answer)`,
    );

  if (faultStartMs !== undefined && def.recovery === 'failover' && plan.failedCell) {
    const rto = measureRto(finalTimeline, faultStartMs, plan.failedCell, recovery);
    figures.rtoSeconds = round1(rto.rtoSeconds);
    figures.rtoCloudEquivalentSeconds = round1(
      rto.rtoSeconds === undefined ? undefined : rto.rtoSeconds / plan.timeScale,
    );
    figures.errorsDuringFailover = errorsDuringFailover(finalTimeline, faultStartMs, rto.recoveredAtSecond);
    if (plan.predicted) {
      const tolerance = plan.rtoToleranceSeconds ?? RTO_TOLERANCE_SECONDS;
      const bound = plan.predicted.scaledSeconds + tolerance;
      figures.predictedRtoSeconds = plan.predicted.scaledSeconds;
      figures.predictedRtoCloudSeconds = plan.predicted.cloudSeconds;
      // A host too slow to time the simulation makes a missed bound inconclusive (the figure is kept).
      criteria.push(
        inconclusiveWhen(
          {
            name: `RTO within predicted + ${tolerance} s`,
            ok: rto.rtoSeconds !== undefined && rto.rtoSeconds <= bound,
            detail:
              rto.rtoSeconds === undefined
                ? `never recovered (bound ${bound} s)`
                : `${round1(rto.rtoSeconds)} s ${rto.rtoSeconds <= bound ? '<=' : '>'} ${round1(bound)} s`,
          },
          rto.rtoSeconds === undefined ? undefined : hostTooSlow(summary),
        ),
      );
    }
    if (rollbackAtMs !== undefined) {
      const failback = measureFailback(finalTimeline, rollbackAtMs, plan.failedCell, recovery);
      figures.failbackSeconds = round1(failback.rtoSeconds);
      if (failback.rtoSeconds === undefined)
        notes.push('traffic did not return to the original cell before the drill ended');
    }
  }

  const load = run?.load?.();
  const regionRtoSeconds =
    load && faultStartMs !== undefined && def.recovery === 'failover' && plan.failedCell
      ? Object.fromEntries(
          Object.entries(load.regionTimelines).map(([region, buckets]) => [
            region,
            round1(measureRto(buckets, faultStartMs, plan.failedCell!, recovery).rtoSeconds) ?? null,
          ]),
        )
      : undefined;

  // Nothing to verify when the drill stopped before any load ran (steady state not met).
  if (plan.verifier && run) {
    try {
      const verified = await plan.verifier.verify({
        faultStartMs,
        rollbackAtMs,
        timeline: finalTimeline,
        acknowledged,
        summary,
      });
      Object.assign(figures, verified.figures ?? {});
      criteria.push(...(verified.criteria ?? []));
      notes.push(...(verified.notes ?? []));
    } catch (error) {
      // The drill's outcome is unknown, not bad: say so instead of failing it.
      criteria.push({
        name: 'verification',
        ok: false,
        inconclusive: true,
        detail: `could not verify: ${(error as Error).message}`,
      });
    }
  }

  const rollback = plan.injectors.map((injector) => ({
    fault: `${injector.describe().fault} on ${injector.describe().target}`,
    outcome: rollbackOutcomes.get(injector) ?? 'not attempted',
  }));
  if (faultStartMs !== undefined) {
    criteria.push({
      name: 'every fault rolled back',
      ok: rollback.every((r) => r.outcome === 'ok'),
      detail: rollback.map((r) => `${r.fault}: ${r.outcome}`).join('; '),
    });
  }

  const hostAtEnd = host();
  const hostLoad: HostLoad = {
    cpuCount: hostAtEnd.cpuCount,
    loadAverageAtStart: hostAtStart.loadAverage.map((x) => Math.round(x * 100) / 100),
    loadAverageAtEnd: hostAtEnd.loadAverage.map((x) => Math.round(x * 100) / 100),
  };
  return {
    schemaVersion: 1,
    id: drillId(def.name, startedAt),
    drill: def.name,
    title: def.title,
    hypothesis: def.hypothesis,
    environment: plan.environment,
    timeScale: plan.timeScale,
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    faults: plan.injectors.map((i) => i.describe()),
    faultWindow: { startMs: faultStartMs, endMs: rollbackAtMs },
    figures: figures as DrillFigures,
    criteria,
    verdict: verdictOf(criteria, abortReason !== undefined),
    ...(abortReason ? { abortReason } : {}),
    rollback,
    timeline: finalTimeline,
    events,
    notes,
    host: hostLoad,
    ...(load ? { load: regionRtoSeconds ? { ...load, regionRtoSeconds } : load } : {}),
  };
}
