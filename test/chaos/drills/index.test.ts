import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DRILL_NAMES, DRILLS, drillByName, isDrillName } from '../../../chaos/drills';

/**
 * The drill list, pinned (as cdk-nag pins a pack's rules): adding, removing or
 * renaming a drill changes this test on purpose, and every drill is one file
 * named after it.
 */
describe('the drill list', () => {
  it('lists exactly these drills, in this order', () => {
    expect(DRILL_NAMES).toEqual([
      'region-failover',
      'replication-pause',
      'dependency-latency',
      'webhook-consumer-outage',
      'failback',
      'cdn-outage',
      'zone-outage-read-path',
      'client-failover',
      'kiosk-offline',
      'split-writes',
      'region-loss',
    ]);
  });

  it('has one file per drill, named after it, and no drill file left out of the list', () => {
    // Prepare
    const dir = join(__dirname, '..', '..', '..', 'chaos', 'drills');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''));
    // Assess
    expect([...files].sort()).toEqual([...DRILL_NAMES].sort());
    for (const name of DRILL_NAMES) {
      // The file's export is the listed drill (not a copy under another name).
      const exported = Object.values(require(join(dir, name)) as Record<string, unknown>);
      expect(exported).toContain(drillByName(name));
    }
  });

  it('gives every drill a complete definition and a local run', () => {
    for (const { definition, local } of DRILLS) {
      expect(definition.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(definition.title.length).toBeGreaterThan(0);
      expect(definition.hypothesis.length).toBeGreaterThan(0);
      expect(definition.expectations.length).toBeGreaterThan(0);
      expect(['failover', 'hold']).toContain(definition.recovery);
      for (const seconds of [definition.warmupSeconds, definition.faultSeconds, definition.settleSeconds])
        expect(seconds).toBeGreaterThan(0);
      expect(typeof local).toBe('function');
    }
  });

  it('finds a drill by name and says which exist when it does not', () => {
    expect(isDrillName('failback')).toBe(true);
    expect(isDrillName('region-fail')).toBe(false);
    expect(() => drillByName('region-fail')).toThrow(/drills are region-failover, replication-pause/);
  });
});
