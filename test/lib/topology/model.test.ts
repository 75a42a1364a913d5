import { loadTopology, parseTopology } from '../../../lib/topology/loader';
import {
  buildModel,
  cellFacts,
  entryPointZones,
  predictedRtoSeconds,
  scaledFailoverTiming,
  zoneForGeography,
} from '../../../lib/topology/model';
import { validTopology } from '../../support/topologies';

describe('topology model', () => {
  const model = loadTopology();

  it('derives deterministic cell names from the topology', () => {
    expect(model.cells.map((c) => [c.stackName, c.role, c.apiDomainName])).toEqual([
      ['commerce-cell-global-us-east-1', 'primary', 'api.us-east-1.global.shop.example.com'],
      ['commerce-cell-global-us-west-2', 'secondary', 'api.us-west-2.global.shop.example.com'],
      ['commerce-cell-eu-eusc-de-east-1', 'primary', 'api.eusc-de-east-1.eu.shop.example.com'],
    ]);
    expect(model.zones.map((z) => z.apiDomainName)).toEqual([
      'api.global.shop.example.com',
      'api.eu.shop.example.com',
    ]);
  });

  it('routes by geolocation precedence: country, then continent, then default', () => {
    expect(zoneForGeography(model, 'DE', 'EU').name).toBe('eu');
    expect(zoneForGeography(model, 'US', 'NA').name).toBe('global');
    expect(zoneForGeography(model, undefined, undefined).name).toBe('global');
  });

  it('predicts RTO as interval x threshold + TTL', () => {
    expect(predictedRtoSeconds(model.config)).toBe(10 * 3 + 60);
  });
});

describe('writer fencing per zone', () => {
  it('fences a zone with a secondary where the partition has ARC, unless the topology opts out', () => {
    const fencing = (input: Parameters<typeof parseTopology>[0]) =>
      buildModel(parseTopology(input)).zones.map((z) => `${z.name}:${z.fencing}`);

    expect(fencing(validTopology())).toEqual(['global:arc', 'eu:none']);
    expect(fencing({ ...validTopology(), failover: { fencing: 'none' } })).toEqual([
      'global:none',
      'eu:none',
    ]);
  });

  it('publishes only non-sovereign zones under the entry point api.<domain>', () => {
    expect(entryPointZones(buildModel(parseTopology(validTopology()))).map((z) => z.name)).toEqual([
      'global',
    ]);
  });
});

describe('failover timing and cell facts, from the model', () => {
  const model = loadTopology();

  it('holds the failover timing every consumer reads (stacks, local topology, drills, demo)', () => {
    expect(model.failover).toEqual({
      healthCheck: model.config.healthCheck,
      dnsTtlSeconds: model.config.dns.ttlSeconds,
      predictedRtoSeconds: 90,
    });
  });

  it('scales it once, to the millisecond, beside the cloud figures', () => {
    expect(scaledFailoverTiming(model, 0.1)).toEqual({
      timeScale: 0.1,
      healthCheckIntervalMs: 1000,
      cloudHealthCheckIntervalSeconds: 10,
      failureThreshold: 3,
      dnsTtlMs: 6000,
      cloudDnsTtlSeconds: 60,
      predictedRtoScaledSeconds: 9,
      predictedRtoCloudSeconds: 90,
    });
    expect(scaledFailoverTiming(model, 0.07).predictedRtoScaledSeconds).toBe(6.3);
  });

  it("says what a cell's runtime is told about itself", () => {
    const secondary = model.cells[1]!;
    expect(cellFacts(model, secondary)).toEqual({
      appName: 'commerce',
      zone: 'global',
      region: 'us-west-2',
      role: 'secondary',
      tableName: 'commerce-global-commerce',
      zoneGeographies: { global: ['default'], eu: ['continent:EU'] },
    });
  });
});
