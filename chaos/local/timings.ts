import type { DrillDefinition, DrillTimings } from '../drill';
import type { LocalDrillContext } from './context';

/**
 * Phase lengths of a local run, in drill seconds: the definition's cloud
 * seconds scaled, never shorter than a failover plus its failback need
 * (predicted RTO + room); `short` (CI) keeps only what the fault needs: a
 * failover drill's settle period ends once traffic is back on the failed cell.
 */
export function standardTimings(context: LocalDrillContext, definition: DrillDefinition): DrillTimings {
  const failover = definition.recovery === 'failover';
  const recoveryRoom = context.predicted.scaledSeconds + 6;
  if (context.short) {
    return {
      warmupSeconds: 3,
      faultSeconds: failover ? recoveryRoom : 5,
      settleSeconds: failover ? recoveryRoom : 4,
      settleEndsAtFailback: true,
    };
  }
  const scaled = (seconds: number) => seconds * context.timeScale;
  return {
    warmupSeconds: Math.max(5, scaled(definition.warmupSeconds)),
    faultSeconds: Math.max(recoveryRoom, scaled(definition.faultSeconds)),
    settleSeconds: Math.max(recoveryRoom, scaled(definition.settleSeconds)),
  };
}

/** Seconds of load a run needs: every phase plus room for the last requests. */
export function totalSeconds(timings: DrillTimings): number {
  return Math.ceil(timings.warmupSeconds + timings.faultSeconds + timings.settleSeconds + 10);
}
