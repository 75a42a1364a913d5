import { loadTopology, zoneForGeography } from '../../lib/topology';
import { CLIENT_COUNTRY_HEADER, clientGeography } from '../../local/geography';

describe('local/geography clientGeography', () => {
  const model = loadTopology('topology.yaml');

  it.each([
    ['DE', 'eu'],
    ['fr', 'eu'],
    [' it ', 'eu'],
    ['US', 'global'],
    ['JP', 'global'],
    [undefined, 'global'],
    ['not-a-country', 'global'],
  ])('routes %p to zone %s of the default topology', (header, zone) => {
    // Prepare
    const geography = clientGeography(header);
    // Act
    const routed = zoneForGeography(model, geography.country, geography.continent);
    // Assess
    expect(routed.name).toBe(zone);
  });

  it('documents the header name the edge router reads', () => {
    expect(CLIENT_COUNTRY_HEADER).toBe('x-client-country');
  });
});
