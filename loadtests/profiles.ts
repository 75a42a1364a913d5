/**
 * Load profiles: the one definition of every load shape, read by the k6
 * scripts (bundled for k6, so this module imports nothing from Node) and by
 * the local Node runner. All profiles are open-model: arrivals per second,
 * independent of how fast the system answers, because a closed loop hides
 * overload by slowing its own clients down.
 */

export const PROFILE_NAMES = ['smoke', 'load', 'stress', 'spike', 'soak', 'breakpoint'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** One ramp: the arrival rate moves linearly to `target` iterations/s over `durationSeconds`. */
export interface RateStage {
  readonly durationSeconds: number;
  readonly target: number;
}

export interface ProfileThresholds {
  /** 95th percentile request latency must stay below this. */
  readonly p95Ms: number;
  /** 99th percentile request latency must stay below this. */
  readonly p99Ms: number;
  /** Share of failed requests (non-2xx/3xx, or transport error) must stay below this. */
  readonly maxErrorRate: number;
  /** Stop the run as soon as a threshold fails (k6 `abortOnFail`; the Node runner stops arriving). */
  readonly abortOnFail: boolean;
  /** Collect this long before an abort may trigger, so a cold start does not end the run. */
  readonly abortGraceSeconds: number;
}

export interface LoadProfile {
  readonly name: ProfileName;
  readonly purpose: string;
  /** Arrival rate (iterations/s) at t = 0. */
  readonly startRate: number;
  readonly stages: readonly RateStage[];
  /** Concurrency cap: iterations in flight at most (k6 maxVUs). */
  readonly maxInFlight: number;
  /** Hard bound on iterations; the run stops arriving after this many. */
  readonly maxIterations: number;
  readonly thresholds: ProfileThresholds;
}

const stage = (durationSeconds: number, target: number): RateStage => ({ durationSeconds, target });

export const PROFILES: Readonly<Record<ProfileName, LoadProfile>> = {
  smoke: {
    name: 'smoke',
    purpose: 'Steady-state check before a drill: a trickle that must pass cleanly.',
    startRate: 2,
    stages: [stage(30, 2)],
    maxInFlight: 10,
    maxIterations: 100,
    thresholds: { p95Ms: 500, p99Ms: 1000, maxErrorRate: 0.01, abortOnFail: true, abortGraceSeconds: 5 },
  },
  load: {
    name: 'load',
    purpose: 'Expected peak traffic; also the background load of a failover drill.',
    startRate: 0,
    stages: [stage(60, 20), stage(300, 20), stage(30, 0)],
    maxInFlight: 100,
    maxIterations: 10_000,
    thresholds: { p95Ms: 400, p99Ms: 800, maxErrorRate: 0.01, abortOnFail: false, abortGraceSeconds: 30 },
  },
  stress: {
    name: 'stress',
    purpose: 'Beyond the expected peak: find where latency bends before errors appear.',
    startRate: 0,
    stages: [stage(120, 50), stage(300, 50), stage(120, 100), stage(180, 100), stage(60, 0)],
    maxInFlight: 400,
    maxIterations: 60_000,
    thresholds: { p95Ms: 800, p99Ms: 1500, maxErrorRate: 0.05, abortOnFail: true, abortGraceSeconds: 30 },
  },
  spike: {
    name: 'spike',
    purpose: 'A sudden burst (campaign launch): throttling and cold starts must not cascade.',
    startRate: 5,
    stages: [stage(30, 5), stage(10, 100), stage(60, 100), stage(10, 5), stage(60, 5)],
    maxInFlight: 400,
    maxIterations: 10_000,
    thresholds: { p95Ms: 1000, p99Ms: 2000, maxErrorRate: 0.05, abortOnFail: false, abortGraceSeconds: 10 },
  },
  soak: {
    name: 'soak',
    purpose: 'Hours at moderate load: leaks, growing latency, table hot keys, log volume.',
    startRate: 10,
    stages: [stage(7200, 10)],
    maxInFlight: 100,
    maxIterations: 80_000,
    thresholds: { p95Ms: 400, p99Ms: 800, maxErrorRate: 0.005, abortOnFail: true, abortGraceSeconds: 60 },
  },
  breakpoint: {
    name: 'breakpoint',
    purpose: 'Ramp until something gives; the abort point is the measured capacity.',
    startRate: 1,
    stages: [stage(1200, 300)],
    maxInFlight: 1000,
    maxIterations: 200_000,
    thresholds: { p95Ms: 1500, p99Ms: 2000, maxErrorRate: 0.02, abortOnFail: true, abortGraceSeconds: 10 },
  },
};

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

export function profileDurationSeconds(profile: Pick<LoadProfile, 'stages'>): number {
  return profile.stages.reduce((sum, s) => sum + s.durationSeconds, 0);
}

/** Arrival rate at `t` seconds, ramping linearly within each stage exactly as k6's ramping-arrival-rate does. */
export function rateAt(profile: Pick<LoadProfile, 'startRate' | 'stages'>, tSeconds: number): number {
  let from = profile.startRate;
  let elapsed = 0;
  for (const s of profile.stages) {
    if (tSeconds < elapsed + s.durationSeconds) {
      const fraction = s.durationSeconds === 0 ? 1 : (tSeconds - elapsed) / s.durationSeconds;
      return from + (s.target - from) * fraction;
    }
    elapsed += s.durationSeconds;
    from = s.target;
  }
  return 0;
}

/**
 * A shorter, gentler copy for loopback runs on a small machine: durations and
 * rates multiplied, bounds kept. The thresholds stay those of the original.
 */
export function scaleProfile(
  profile: LoadProfile,
  scale: { readonly duration?: number; readonly rate?: number; readonly maxIterations?: number },
): LoadProfile {
  const d = scale.duration ?? 1;
  const r = scale.rate ?? 1;
  return {
    ...profile,
    startRate: profile.startRate * r,
    stages: profile.stages.map((s) => stage(Math.max(1, Math.round(s.durationSeconds * d)), s.target * r)),
    maxIterations: Math.min(profile.maxIterations, scale.maxIterations ?? profile.maxIterations),
  };
}
