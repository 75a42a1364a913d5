import {
  PROFILE_NAMES,
  PROFILES,
  profileDurationSeconds,
  rateAt,
  scaleProfile,
} from '../../loadtests/profiles';

describe('load profiles', () => {
  it('defines every profile with bounded iterations, a concurrency cap and all thresholds', () => {
    for (const name of PROFILE_NAMES) {
      const profile = PROFILES[name];
      expect(profile.name).toBe(name);
      expect(profile.maxIterations).toBeGreaterThan(0);
      expect(profile.maxInFlight).toBeGreaterThan(0);
      expect(profile.thresholds.p95Ms).toBeLessThanOrEqual(profile.thresholds.p99Ms);
      expect(profile.thresholds.maxErrorRate).toBeGreaterThan(0);
      expect(profileDurationSeconds(profile)).toBeGreaterThan(0);
    }
  });

  it('ramps the arrival rate linearly inside a stage and holds the target after it', () => {
    // Prepare
    const profile = {
      startRate: 0,
      stages: [
        { durationSeconds: 10, target: 20 },
        { durationSeconds: 10, target: 20 },
      ],
    };
    // Act
    const rates = [0, 5, 10, 15, 25].map((t) => rateAt(profile, t));
    // Assess
    expect(rates).toEqual([0, 10, 20, 20, 0]);
  });

  it('scales durations and rates for loopback runs without loosening the thresholds', () => {
    const scaled = scaleProfile(PROFILES.load, { duration: 0.1, rate: 0.5, maxIterations: 50 });
    expect(profileDurationSeconds(scaled)).toBe(39);
    expect(scaled.stages[1]!.target).toBe(10);
    expect(scaled.maxIterations).toBe(50);
    expect(scaled.thresholds).toEqual(PROFILES.load.thresholds);
  });
});
