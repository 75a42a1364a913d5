import { pathPatternRoutesPersonalData } from '../../../lib/residency';

describe('pathPatternRoutesPersonalData', () => {
  it.each([
    ['*', true],
    ['/v1/*', true],
    ['/v1/orders*', true],
    ['v1/carts/*', true],
    ['/v1/check?ut', true],
    ['/v1/products*', false],
    ['/assets/*', false],
    ['/v1/orders-archive.html', false],
  ])('%s -> %s', (pattern, expected) => {
    expect(pathPatternRoutesPersonalData(pattern)).toBe(expected);
  });

  it('treats an origin path on a personal-data prefix as personal whatever the pattern', () => {
    expect(pathPatternRoutesPersonalData('/static/*', '/v1/customers')).toBe(true);
  });
});
