import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology, TopologyError } from '../../../lib/topology/loader';

describe('loadTopology', () => {
  it('loads the default topology: global active-passive and a single-region sovereign eu zone', () => {
    // Act
    const model = loadTopology();
    // Assess
    expect(model.zones.map((z) => [z.name, z.partition, z.regions])).toEqual([
      ['global', 'aws', ['us-east-1', 'us-west-2']],
      ['eu', 'aws-eusc', ['eusc-de-east-1']],
    ]);
    expect(model.zones[1]).toMatchObject({ sovereign: true, residency: 'eu', account: '222222222222' });
    expect(model.zones[1].secondary).toBeUndefined();
  });

  it('loads the eu-regional profile with an EU active-passive zone', () => {
    const model = loadTopology('topologies/eu-regional.yaml');
    expect(model.zones.find((z) => z.name === 'eu')?.regions).toEqual(['eu-central-1', 'eu-west-1']);
  });

  it('reads JSON as well as YAML', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'topology-'));
    const file = join(dir, 'topology.json');
    writeFileSync(
      file,
      JSON.stringify({
        appName: 'shop',
        domain: 'example.org',
        hostedZone: { id: 'Z0123456789ABC' },
        accounts: { aws: '123456789012' },
        zones: [{ name: 'global', residency: 'none', primaryRegion: 'us-east-2', geographies: ['default'] }],
      }),
    );
    // Act
    const model = loadTopology(file);
    // Assess
    expect(model.cells.map((c) => c.stackName)).toEqual(['shop-cell-global-us-east-2']);
    expect(model.config.hostedZone).toEqual({ id: 'Z0123456789ABC' });
  });

  it('names a missing file and the flag that selects another', () => {
    expect(() => loadTopology('nope.yaml')).toThrow(/nope\.yaml: 1 problem[\s\S]*ENOENT.*-c topology=PATH/);
  });

  it('names a syntax error in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'topology-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'zones: [unclosed\n');
    expect(() => loadTopology(file)).toThrow(TopologyError);
    expect(() => loadTopology(file)).toThrow(/is not valid YAML/);
  });
});
