import { type HoldGroup, holdIsActive, isSuperseded, mergeHoldStates } from '../../../lambdas/core/stock';

/** How hold records of a split merge, and when a sold attempt no longer counts (core/stock.ts). */
describe('core/stock', () => {
  const group = (attempt: number, state: HoldGroup['state']): HoldGroup => ({
    productId: 'sku-1',
    checkoutId: 'c1',
    attempt,
    quantity: 1,
    state,
  });

  it('merges each region’s record of one group to the furthest state: held < compensated < sold < cancelled', () => {
    expect(mergeHoldStates(['held', 'compensated'])).toBe('compensated');
    expect(mergeHoldStates(['compensated', 'sold'])).toBe('sold');
    expect(mergeHoldStates(['sold', 'cancelled', 'held'])).toBe('cancelled');
    expect(mergeHoldStates([])).toBe('held');
    expect([
      holdIsActive('held'),
      holdIsActive('sold'),
      holdIsActive('compensated'),
      holdIsActive('cancelled'),
    ]).toEqual([true, true, false, false]);
  });

  it('supersedes a sold attempt the merged order does not name, and nothing else', () => {
    // The order names attempt 2: attempt 1's sale is superseded, attempt 2's is not.
    expect(isSuperseded(group(1, 'sold'), 2)).toBe(true);
    expect(isSuperseded(group(2, 'sold'), 2)).toBe(false);
    // Not sold (compensated, cancelled, still held): never superseded; no order found: nothing to compare.
    expect(isSuperseded(group(1, 'compensated'), 2)).toBe(false);
    expect(isSuperseded(group(1, 'cancelled'), 2)).toBe(false);
    expect(isSuperseded(group(1, 'held'), 2)).toBe(false);
    expect(isSuperseded(group(1, 'sold'), undefined)).toBe(false);
  });
});
