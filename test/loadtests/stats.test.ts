import { median, percentile, round } from '../../loadtests/stats';

describe('stats', () => {
  it('takes the nearest-rank percentile of unsorted values', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('takes the median, averaging the middle two of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of no values');
  });

  it('rounds to the given digits and passes undefined through', () => {
    expect(round(1.2345, 2)).toBe(1.23);
    expect(round(undefined)).toBeUndefined();
  });
});
