import {
  CLOUDFLARE_RESIDENCY,
  catalogHostnames,
  cdnVendorHostname,
  cdnVendorsOf,
  cdnZones,
  cloudflareCnameTarget,
  loadTopology,
  zoneByName,
} from '../../../lib/topology';

describe('CDN facts of the topology', () => {
  const sovereign = loadTopology('topology.yaml');
  const regional = loadTopology('topologies/eu-regional.yaml');

  it('fronts no sovereign zone with either vendor', () => {
    expect(cdnZones(sovereign, 'cloudfront').map((z) => z.name)).toEqual(['global']);
    expect(cdnZones(sovereign, 'cloudflare').map((z) => z.name)).toEqual(['global']);
    expect(cdnVendorsOf(sovereign, zoneByName(sovereign, 'eu'))).toEqual([]);
    expect(cdnVendorsOf(regional, zoneByName(regional, 'eu'))).toEqual(['cloudfront', 'cloudflare']);
  });

  it('names the catalog per zone, the bare name for the default zone only, and one name per vendor', () => {
    expect(catalogHostnames(regional, zoneByName(regional, 'global'))).toEqual([
      'catalog.global.shop.example.com',
      'catalog.shop.example.com',
    ]);
    expect(catalogHostnames(regional, zoneByName(regional, 'eu'))).toEqual(['catalog.eu.shop.example.com']);
    expect(cdnVendorHostname(zoneByName(regional, 'eu'), 'cloudflare')).toBe(
      'cloudflare.eu.shop.example.com',
    );
    expect(cloudflareCnameTarget('catalog.shop.example.com')).toBe(
      'catalog.shop.example.com.cdn.cloudflare.net',
    );
  });

  it('keeps a residency-eu zone on Cloudflare in the EU: Regional Services, probes and log jurisdiction', () => {
    expect(CLOUDFLARE_RESIDENCY.eu).toEqual({
      regionalServicesKey: 'eu',
      logJurisdiction: 'eu',
      checkRegions: ['WEU', 'EEU'],
    });
    expect(CLOUDFLARE_RESIDENCY.none.regionalServicesKey).toBeUndefined();
  });

  it('fronts nothing with CloudFront when the edge stack is off, and nothing with Cloudflare without edge.cloudflare', () => {
    const off = {
      ...sovereign,
      config: { ...sovereign.config, edge: { ...sovereign.config.edge, enabled: false } },
    };
    expect(cdnZones(off, 'cloudfront')).toEqual([]);
    const { cloudflare: _, ...edge } = sovereign.config.edge;
    const without = { ...sovereign, config: { ...sovereign.config, edge } };
    expect(cdnZones(without, 'cloudflare')).toEqual([]);
  });
});
