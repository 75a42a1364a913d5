import fc from 'fast-check';
import {
  addHistograms,
  countAtOrBelow,
  histogramOf,
  histogramPercentile,
  LATENCY_BOUNDS_MS,
  latencyBucket,
  latencyBucketMetric,
} from '../../../loadtests/engine/histogram';
import { PROFILES } from '../../../loadtests/profiles';
import { percentile } from '../../../loadtests/stats';

describe('latency histogram', () => {
  it('has every profile latency threshold as a bucket bound, so a threshold is decided at an edge', () => {
    for (const profile of Object.values(PROFILES)) {
      expect(LATENCY_BOUNDS_MS).toContain(profile.thresholds.p95Ms);
      expect(LATENCY_BOUNDS_MS).toContain(profile.thresholds.p99Ms);
    }
    expect(LATENCY_BOUNDS_MS[0]).toBe(1);
    expect(LATENCY_BOUNDS_MS.at(-1)).toBe(60_000);
    // Neighbouring bounds above 10 ms are at most ~17 % apart.
    for (let i = 1; i < LATENCY_BOUNDS_MS.length; i++) {
      if (LATENCY_BOUNDS_MS[i - 1]! >= 10)
        expect(LATENCY_BOUNDS_MS[i]! / LATENCY_BOUNDS_MS[i - 1]!).toBeLessThanOrEqual(1.17);
    }
  });

  it('puts a latency in the bucket (previous bound, bound], overflow last', () => {
    const at400 = LATENCY_BOUNDS_MS.indexOf(400);
    expect(latencyBucket(400)).toBe(at400);
    expect(latencyBucket(400.01)).toBe(at400 + 1);
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(61_000)).toBe(LATENCY_BOUNDS_MS.length);
    expect(latencyBucketMetric(at400)).toBe('flow_latency_le_400');
    expect(latencyBucketMetric(LATENCY_BOUNDS_MS.length)).toBe('flow_latency_le_inf');
    for (let i = 0; i <= LATENCY_BOUNDS_MS.length; i++)
      expect(latencyBucketMetric(i)).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/);
  });

  it('gives an interval that holds the nearest-rank percentile of the values it counted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 70_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.constantFrom(50, 95, 99),
        (values, p) => {
          const interval = histogramPercentile(histogramOf(values), p)!;
          const truth = percentile(values, p)!;
          return truth >= interval.lowerMs && truth <= interval.upperMs;
        },
      ),
    );
  });

  it('adds histograms bucket by bucket, and counts values at or below a bound', () => {
    const merged = addHistograms([histogramOf([10, 500]), histogramOf([400, 401])])!;
    expect(countAtOrBelow(merged, 400)).toBe(2);
    expect(countAtOrBelow(merged, 401)).toBeUndefined();
    expect(merged.counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(addHistograms([histogramOf([1]), { boundsMs: [1, 2], counts: [1, 0, 0] }])).toBeUndefined();
  });
});
