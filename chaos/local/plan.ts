import type { LocalTopology } from '../../local/topology';
import type { Drill } from '../drill';
import { CATCH_UP_PATIENCE } from '../injectors/local';
import { RTO_TOLERANCE_SECONDS } from '../metrics';
import type { DrillPlan, Observer } from '../orchestrator';
import { verifierOf } from './checks';
import { createLocalDrillContext, type LocalDrillOptions } from './context';
import { type ShopperLoad, shopperLoad } from './load';
import { steadyState } from './steady-state';
import { totalSeconds } from './timings';

/**
 * A drill's local run as the orchestrator's plan: the drill file says what
 * breaks, for how long and how it is judged (chaos/drill.ts); this adds what
 * every local drill shares: the shopper load, the steady state, the observer,
 * the verifier (quiescence, then the drill's checks), the RTO prediction,
 * the error budget and the wall-clock limit.
 */
export async function localDrillPlan(
  topology: LocalTopology,
  drill: Drill,
  options: LocalDrillOptions,
): Promise<DrillPlan> {
  const { definition } = drill;
  if (!drill.local) {
    throw new Error(`drill ${definition.name} has no local run yet; see runbooks/ for running it on AWS`);
  }
  // The drill's clock is its load's: 0 until the orchestrator starts it.
  let shoppers: ShopperLoad | undefined;
  const context = await createLocalDrillContext(
    topology,
    definition.name,
    options,
    () => shoppers?.run()?.elapsedMs() ?? 0,
  );
  const run = await drill.local(context);
  const seconds = totalSeconds(run.timings);
  const load = shopperLoad(context, seconds, run.iterationDefaults, options.loadProcesses ?? 1);
  shoppers = load;
  const observer: Observer = async () => {
    const state = topology.state();
    const serving = state.serving[context.zone.name];
    return {
      routedTo: serving ? `${context.zone.name}/${serving}` : null,
      replicationLagMs: state.replication[context.zone.name]?.lagMs ?? null,
    };
  };

  return {
    definition,
    environment: 'local',
    timeScale: context.timeScale,
    injectors: run.injectors,
    ...(run.failedCell ? { failedCell: run.failedCell } : {}),
    load: load.driver,
    steadyState: run.steadyState ?? (() => steadyState(context)),
    observer,
    verifier: verifierOf(context, run.checks, { notes: run.notes ?? [], load: load.run }),
    predicted: context.predicted,
    rtoToleranceSeconds: RTO_TOLERANCE_SECONDS,
    // A failover drill expects errors until the router moves; the budget only stops a runaway.
    errorBudget: Math.ceil(context.ratePerSecond * 5 * (run.timings.faultSeconds + 5)),
    // A runaway guard, not a timing check: it runs from before the steady state (warm-up and up to three
    // smoke runs) and a drill's own bounded steps (a kiosk waiting for its first order) stretch the phases on
    // a loaded host; at seconds + 60 a short kiosk-offline run beside two busy loops was aborted with every
    // check met. A rollback waits for catch-up with its own ceiling on top.
    wallClockLimitSeconds: seconds + 180 + CATCH_UP_PATIENCE.ceilingMs / 1000,
    timings: run.timings,
    holdAfterRecoverySeconds: run.holdAfterRecoverySeconds ?? 2,
    settleEndsAtFailback: run.timings.settleEndsAtFailback ?? false,
    log: context.log,
  };
}
