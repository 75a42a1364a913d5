import { loadTopology, zoneForGeography } from '../../../lib/topology';
import { continentOf, zoneResolver } from '../../../lambdas/core/geography';

describe('home zone from country', () => {
  const model = loadTopology();
  const rules = Object.fromEntries(model.zones.map((z) => [z.name, [...z.geographies]]));
  const resolve = zoneResolver(rules, 'global');

  it.each(['DE', 'FR', 'IE', 'PL', 'US', 'BR', 'JP', 'AU', 'ZA', 'CH', 'GB'])(
    'agrees with the topology’s Route 53 precedence for %s',
    (country) => {
      expect(resolve(country)).toBe(zoneForGeography(model, country, continentOf(country)).name);
    },
  );

  it('prefers a country rule over its continent, and falls back to default', () => {
    const custom = zoneResolver({ global: ['default'], eu: ['continent:EU'], uk: ['country:GB'] }, 'x');
    expect([custom('GB'), custom('de'), custom('US'), custom('QQ')]).toEqual([
      'uk',
      'eu',
      'global',
      'global',
    ]);
  });

  it('without rules, every country belongs to the cell’s own zone', () => {
    expect(zoneResolver({}, 'eu')('US')).toBe('eu');
  });
});
