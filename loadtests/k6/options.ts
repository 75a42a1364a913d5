import type { Options, Scenario } from 'k6/options';
import type { LoadProfile } from '../profiles';

/**
 * k6 options from a shared profile: one ramping-arrival-rate scenario (open
 * model) and thresholds on the built-in and the flow metrics. Pure, so the
 * Node tests can check the translation without k6.
 */

export const FLOW_DURATION_METRIC = 'flow_req_duration';
export const FLOW_FAILED_METRIC = 'flow_req_failed';
export const SERVED_BY_METRIC = 'served_by';

export function k6Scenario(profile: LoadProfile): Scenario {
  return {
    executor: 'ramping-arrival-rate',
    startRate: profile.startRate,
    timeUnit: '1s',
    stages: profile.stages.map((s) => ({ duration: `${s.durationSeconds}s`, target: s.target })),
    preAllocatedVUs: Math.max(1, Math.ceil(profile.maxInFlight / 4)),
    maxVUs: profile.maxInFlight,
    gracefulStop: '30s',
    tags: { profile: profile.name },
  };
}

export function k6Options(profile: LoadProfile): Options {
  const t = profile.thresholds;
  const guard = (threshold: string) => ({
    threshold,
    abortOnFail: t.abortOnFail,
    delayAbortEval: `${t.abortGraceSeconds}s`,
  });
  return {
    scenarios: { [profile.name]: k6Scenario(profile) },
    thresholds: {
      http_req_duration: [guard(`p(95)<${t.p95Ms}`), guard(`p(99)<${t.p99Ms}`)],
      http_req_failed: [guard(`rate<${t.maxErrorRate}`)],
      [FLOW_FAILED_METRIC]: [guard(`rate<${t.maxErrorRate}`)],
      // Per-step latency, so a slow checkout is not averaged away by fast catalog reads.
      [`${FLOW_DURATION_METRIC}{step:checkout}`]: [`p(99)<${t.p99Ms}`],
    },
    summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max', 'count'],
  };
}
