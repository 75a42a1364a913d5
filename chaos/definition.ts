/** What a drill is, in words and cloud-time phases: read by the orchestrator, the report and the catalog. */

/**
 * `failover`: the fault phase ends when traffic is served by another cell
 * (RTO measured) or when `faultSeconds` runs out. `hold`: the fault stays for
 * `faultSeconds`, then is rolled back and the system must catch up.
 */
export type RecoveryMode = 'failover' | 'hold';

export interface DrillDefinition {
  /** Kebab-case; also the file name under chaos/drills/. */
  readonly name: string;
  readonly title: string;
  readonly hypothesis: string;
  readonly fault: string;
  readonly recovery: RecoveryMode;
  /** Cloud-time seconds of load before the fault (scaled locally). */
  readonly warmupSeconds: number;
  /** Cloud-time seconds: the hold duration, or the longest wait for recovery. */
  readonly faultSeconds: number;
  /** Cloud-time seconds observed after rollback (failback, catch-up). */
  readonly settleSeconds: number;
  /** What the report checks, in words; the checks themselves are the drill's `checks`. */
  readonly expectations: readonly string[];
}
