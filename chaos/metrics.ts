import type { SecondBucket } from '../loadtests/runner';
import { scaledFailoverTiming, type TopologyModel } from '../lib/topology';

/**
 * The drill figures, as pure functions over what a drill recorded: per-second
 * buckets of the load, the fault window, canary writes and what the surviving
 * cell holds afterwards. No I/O, so every figure is tested on synthetic
 * timelines.
 */

/** One observed second: the load runner's bucket plus what the topology said at that second. */
export interface Observation extends SecondBucket {
  /** Replication lag of the zone at this second (ms), when known. */
  readonly replicationLagMs?: number | null;
  /** Cell the router sends the zone's traffic to at this second (`zone/region`), when known. */
  readonly routedTo?: string | null;
}

/** What counts as "recovered": a window of seconds, all served elsewhere, at this success rate. */
export interface RecoveryCriteria {
  readonly windowSeconds: number;
  readonly minSuccessRate: number;
}

/** The success rate traffic must keep during a fault and reach after a failover (the catalog's ">= 99%"). */
export const MIN_SUCCESS_RATE = 0.99;
/** MIN_SUCCESS_RATE as the drills' criteria and catalog print it. */
export const MIN_SUCCESS_PERCENT = `${Math.round(MIN_SUCCESS_RATE * 100)}%`;

export const DEFAULT_RECOVERY: RecoveryCriteria = { windowSeconds: 3, minSuccessRate: MIN_SUCCESS_RATE };

export interface RtoResult {
  /** Seconds from fault start to the start of the first recovered window; undefined if it never recovered. */
  readonly rtoSeconds: number | undefined;
  /** First second (of the timeline) of the recovered window. */
  readonly recoveredAtSecond: number | undefined;
  /** The cell that served the recovered window (most requests). */
  readonly servedBy: string | undefined;
}

const dominant = (servedBy: Readonly<Record<string, number>>): string | undefined =>
  Object.entries(servedBy).sort((a, b) => b[1] - a[1])[0]?.[0];

/** First window (starting at or after `fromMs`) whose every second is non-empty, successful enough and accepted. */
function firstWindow(
  buckets: readonly SecondBucket[],
  fromMs: number,
  criteria: RecoveryCriteria,
  accept: (bucket: SecondBucket) => boolean,
): RtoResult {
  const firstSecond = Math.ceil(fromMs / 1000);
  for (let start = firstSecond; start + criteria.windowSeconds <= buckets.length; start++) {
    const window = buckets.slice(start, start + criteria.windowSeconds);
    const recovered = window.every(
      (b) => b.count > 0 && b.success / b.count >= criteria.minSuccessRate && accept(b),
    );
    if (recovered) {
      const merged: Record<string, number> = {};
      for (const b of window)
        for (const [cell, n] of Object.entries(b.servedBy)) merged[cell] = (merged[cell] ?? 0) + n;
      return {
        rtoSeconds: Math.max(0, (start * 1000 - fromMs) / 1000),
        recoveredAtSecond: start,
        servedBy: dominant(merged),
      };
    }
  }
  return { rtoSeconds: undefined, recoveredAtSecond: undefined, servedBy: undefined };
}

/**
 * RTO: fault start -> traffic served by a cell other than `failedCell` at
 * >= minSuccessRate over a whole window. Per-second resolution: the window
 * starts on a bucket boundary, so the figure is rounded up to the next second
 * after the fault at best.
 */
export function measureRto(
  buckets: readonly SecondBucket[],
  faultStartMs: number,
  failedCell: string,
  criteria: RecoveryCriteria = DEFAULT_RECOVERY,
): RtoResult {
  return firstWindow(buckets, faultStartMs, criteria, (b) => (b.servedBy[failedCell] ?? 0) === 0);
}

/** Failback: rollback -> traffic served only by the original cell again, over a whole window. */
export function measureFailback(
  buckets: readonly SecondBucket[],
  rollbackMs: number,
  originalCell: string,
  criteria: RecoveryCriteria = DEFAULT_RECOVERY,
): RtoResult {
  return firstWindow(buckets, rollbackMs, criteria, (b) =>
    Object.entries(b.servedBy).every(([cell, n]) => cell === originalCell || cell === 'unknown' || n === 0),
  );
}

export interface CanaryWrite {
  readonly id: string;
  /** When the write was acknowledged (2xx), ms on the drill timeline. */
  readonly acknowledgedAtMs: number;
}

export interface RpoResult {
  /** Canaries acknowledged before the fault that the surviving cell does not have. */
  readonly missingInSurvivor: readonly string[];
  /** Age at fault time of the oldest missing canary (0 when nothing is missing). */
  readonly rpoMs: number;
  /** Replication lag observed at the moment of the fault (the cloud's definition of RPO). */
  readonly replicationLagAtFaultMs: number | null;
}

export function measureRpo(
  canaries: readonly CanaryWrite[],
  survivorHas: ReadonlySet<string>,
  faultStartMs: number,
  replicationLagAtFaultMs: number | null,
): RpoResult {
  const before = canaries.filter((c) => c.acknowledgedAtMs < faultStartMs);
  const missing = before.filter((c) => !survivorHas.has(c.id));
  const oldest = Math.min(...missing.map((c) => c.acknowledgedAtMs));
  return {
    missingInSurvivor: missing.map((c) => c.id),
    rpoMs: missing.length === 0 ? 0 : Math.round(faultStartMs - oldest),
    replicationLagAtFaultMs,
  };
}

/** Every write that got a 2xx must be readable afterwards; returns the ids that are not. */
export function lostAcknowledgedWrites(
  acknowledged: readonly string[],
  readable: ReadonlySet<string>,
): string[] {
  return acknowledged.filter((id) => !readable.has(id));
}

/** Failed requests from the fault until recovery (or the end of the timeline). */
export function errorsDuringFailover(
  buckets: readonly SecondBucket[],
  faultStartMs: number,
  recoveredAtSecond: number | undefined,
): number {
  const from = Math.floor(faultStartMs / 1000);
  const to = recoveredAtSecond ?? buckets.length;
  return buckets.slice(from, to).reduce((sum, b) => sum + (b.count - b.success), 0);
}

/** Requests and successes inside the fault window [fault start, rollback), for "unaffected" checks. */
export function successDuringFault(
  buckets: readonly SecondBucket[],
  faultStartMs: number | undefined,
  rollbackAtMs: number | undefined,
): { requests: number; succeeded: number } {
  const during =
    faultStartMs === undefined
      ? []
      : buckets.filter(
          (b) =>
            b.second * 1000 >= faultStartMs && (rollbackAtMs === undefined || b.second * 1000 < rollbackAtMs),
        );
  return {
    requests: during.reduce((n, b) => n + b.count, 0),
    succeeded: during.reduce((n, b) => n + b.success, 0),
  };
}

/** The replication lag closest to (at or before) the fault second. */
export function replicationLagAt(observations: readonly Observation[], faultStartMs: number): number | null {
  const second = Math.floor(faultStartMs / 1000);
  for (let s = Math.min(second, observations.length - 1); s >= 0; s--) {
    const lag = observations[s]?.replicationLagMs;
    if (lag !== undefined && lag !== null) return lag;
  }
  return null;
}

export interface PredictedRto {
  /** Health-check interval x failure threshold + DNS TTL, as configured for the cloud. */
  readonly cloudSeconds: number;
  /** The same under the local time scale (what a local drill should see). */
  readonly scaledSeconds: number;
  readonly timeScale: number;
}

/** The model's prediction (lib/topology `scaledFailoverTiming`), in the shape drill reports carry. */
export function predictedRto(model: Pick<TopologyModel, 'failover'>, timeScale = 1): PredictedRto {
  const timing = scaledFailoverTiming(model, timeScale);
  return {
    cloudSeconds: timing.predictedRtoCloudSeconds,
    scaledSeconds: timing.predictedRtoScaledSeconds,
    timeScale,
  };
}

/** How far a measured RTO may exceed the prediction (drill seconds): detection lands anywhere within an interval. */
export const RTO_TOLERANCE_SECONDS = 2;

/** Serving-cell changes over the timeline: [{second, cell}], the first entry is the initial cell. */
export function servingChanges(buckets: readonly SecondBucket[]): { second: number; cell: string }[] {
  const changes: { second: number; cell: string }[] = [];
  for (const b of buckets) {
    const successful = Object.fromEntries(Object.entries(b.servedBy).filter(([cell]) => cell !== 'unknown'));
    const cell = dominant(successful);
    if (cell && changes.at(-1)?.cell !== cell) changes.push({ second: b.second, cell });
  }
  return changes;
}

export interface Criterion {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /**
   * The check could not be decided (e.g. replication had not quiesced within the
   * verifier's bound, so "missing" may mean "late"); `ok` is false. Such a
   * criterion makes the verdict inconclusive, never fail.
   */
  readonly inconclusive?: boolean;
}

/**
 * "The fault took effect": when it did not (e.g. nothing reached the broken
 * part during a short window on a loaded host), the drill showed nothing about
 * its hypothesis, so the criterion is inconclusive rather than failed.
 * `hostReason` (hostTooSlow of the run's load): said beside it, so a reader and a
 * test can tell a slow host from a fault that does not work.
 */
export function faultEffective(
  name: string,
  effective: boolean,
  detail: string,
  hostReason?: string,
): Criterion {
  return effective
    ? { name, ok: true, detail }
    : {
        name,
        ok: false,
        inconclusive: true,
        detail: `${detail}: the fault never took effect, so the drill shows nothing${hostReason ? `; ${hostReason}` : ''}; run it again (longer, or on a quieter host)`,
      };
}

/**
 * A missed criterion that cannot be judged because `why` held (replication still catching up, a host too
 * slow to time the simulation): inconclusive, with the reason appended; a met one is left as it is.
 */
export function inconclusiveWhen(criterion: Criterion, why: string | undefined): Criterion {
  if (criterion.ok || why === undefined) return criterion;
  return { ...criterion, inconclusive: true, detail: `${criterion.detail}; ${why}` };
}

/**
 * The drill load's median request above which the host, not the system under test, sets the pace: an eighth
 * of the RTO tolerance, so that the few requests of a recovery window cannot eat the tolerance by themselves.
 * Idle on this project's 2-core machines the median is 10-30 ms, beside two busy loops under 150 ms; one CI
 * run measured 975 ms, with requests timing out (5 s) whatever the drill did.
 */
export const HOST_TOO_SLOW_MS = (RTO_TOLERANCE_SECONDS * 1000) / 8;

/** Why the run's timings cannot be judged (the load's median request above HOST_TOO_SLOW_MS), or undefined. */
export function hostTooSlow(load: { readonly p50Ms: number | undefined } | undefined): string | undefined {
  const p50Ms = load?.p50Ms ?? 0;
  return p50Ms > HOST_TOO_SLOW_MS
    ? `the host was too slow to judge it: the drill load's median request took ${Math.round(p50Ms)} ms (bound ${HOST_TOO_SLOW_MS} ms)`
    : undefined;
}

/**
 * Why a client's own timeouts cannot be blamed on the system under test: the drill load's p99 reached the
 * client's attempt timeout, so its attempts time out on this host whatever the fault did; or undefined.
 */
export function attemptsOutlastedOnHost(
  attemptTimeoutMs: number,
  load: { readonly p99Ms: number | undefined } | undefined,
): string | undefined {
  const p99Ms = load?.p99Ms ?? 0;
  return p99Ms >= attemptTimeoutMs
    ? `the host was too slow to judge it: the drill load's p99 was ${Math.round(p99Ms)} ms, the client's attempts time out after ${attemptTimeoutMs} ms`
    : undefined;
}

/**
 * A criterion that `served` kept MIN_SUCCESS_RATE; with no request at all it fails (nothing was shown). Missed
 * on a host measured too slow (`load`, see hostTooSlow), it is inconclusive: requests then time out whatever
 * the fault did.
 */
export function minSuccessCriterion(
  name: string,
  served: { requests: number; succeeded: number },
  load?: { readonly p50Ms: number | undefined },
): Criterion {
  return inconclusiveWhen(
    {
      name,
      ok: served.requests > 0 && served.succeeded / served.requests >= MIN_SUCCESS_RATE,
      detail: `${served.succeeded}/${served.requests} successful`,
    },
    served.requests > 0 ? hostTooSlow(load) : undefined,
  );
}

/**
 * `inconclusive`: nothing failed for certain, but at least one check could not
 * be decided within its bound; a verdict never passes or fails by timing.
 */
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'aborted';

export function verdictOf(criteria: readonly Criterion[], aborted: boolean): Verdict {
  if (aborted) return 'aborted';
  if (criteria.some((c) => !c.ok && !c.inconclusive)) return 'fail';
  if (criteria.some((c) => c.inconclusive)) return 'inconclusive';
  return 'pass';
}

/** The word a report prints for a criterion's outcome. */
export function outcomeWord(criterion: Criterion): 'ok' | 'FAILED' | 'INCONCLUSIVE' {
  if (criterion.ok) return 'ok';
  return criterion.inconclusive ? 'INCONCLUSIVE' : 'FAILED';
}
