import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { commerceTableName } from '../lambdas/adapters/table-definitions';
import { scaledFailoverTiming } from '../lib/topology';
import { localDynamoClient } from './dynamodb-local';
import { CLIENT_COUNTRY_HEADER } from './geography';
import { COMMERCE_STEPS } from './demo-commerce';
import {
  control,
  type DemoContext,
  type DemoResult,
  type DemoStep,
  expect,
  get,
  waitFor,
} from './demo-support';

/**
 * The `--demo` flow: a list of steps run against a booted topology, through
 * the edge router like a client would. Each step returns a one-line result or
 * throws; new steps (checkout, webhook delivery, 421) are appended to
 * DEMO_STEPS without touching the runner.
 */

const cellsHealthy: DemoStep = {
  name: 'every cell answers /v1/health; each zone endpoint is served by its primary',
  async run({ topology }) {
    const lines: string[] = [];
    for (const cell of topology.endpoints.cells) {
      const { status } = await get(`${cell.url}/v1/health`);
      expect(status === 200, `${cell.zone}/${cell.region} health answered ${status}`);
    }
    for (const zone of topology.model.zones) {
      const url = topology.endpoints.zones?.[zone.name];
      if (!url) throw new Error(`no endpoint for zone ${zone.name}`);
      const { status, servedBy } = await get(`${url}/v1/health`);
      const expected = `${zone.name}/${zone.primary.region}`;
      expect(status === 200 && servedBy === expected, `zone ${zone.name}: ${status} from ${servedBy}`);
      lines.push(`${zone.name} -> ${servedBy}`);
    }
    return `${topology.endpoints.cells.length} cells healthy; ${lines.join(', ')}`;
  },
};

const geoRouting: DemoStep = {
  name: `geolocation by ${CLIENT_COUNTRY_HEADER}: DE -> eu, US -> global`,
  async run({ topology }) {
    const results: string[] = [];
    for (const [country, zone] of [
      ['DE', 'eu'],
      ['US', 'global'],
    ] as const) {
      const { status, servedBy } = await get(`${topology.endpoints.edge}/v1/health`, {
        [CLIENT_COUNTRY_HEADER]: country,
      });
      expect(status === 200, `${country}: health answered ${status}`);
      expect(servedBy?.startsWith(`${zone}/`) === true, `${country} served by ${servedBy}, expected ${zone}`);
      results.push(`${country} -> ${servedBy}`);
    }
    return results.join(', ');
  },
};

const replication: DemoStep = {
  name: 'a write in the global primary appears in the secondary (replication)',
  async run({ topology }) {
    const zone = topology.model.zones.find((z) => z.name === 'global' && z.secondary);
    if (!zone?.secondary) return 'skipped: no global zone with a secondary';
    const tableName = commerceTableName(topology.model.appName, zone.name);
    const key = { pk: { S: `DEMO#replication#${ulid()}` }, sk: { S: 'ITEM' } };
    const primary = localDynamoClient(topology.endpoints.dynamodb, zone.primary.region);
    const secondary = localDynamoClient(topology.endpoints.dynamodb, zone.secondary.region);
    try {
      const written = Date.now();
      await primary.send(new PutItemCommand({ TableName: tableName, Item: { ...key, note: { S: 'demo' } } }));
      const seen = await waitFor(10_000, async () => {
        const { Item } = await secondary.send(
          new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
        );
        return Item ? Date.now() - written : undefined;
      });
      expect(seen !== undefined, `item not in ${zone.secondary.region} after 10 s`);
      const lag = topology.state().replication[zone.name]?.lagMs;
      return `visible in ${zone.secondary.region} after ${seen} ms (replicator lag ${lag} ms)`;
    } finally {
      primary.destroy();
      secondary.destroy();
    }
  },
};

const failover: DemoStep = {
  name: 'global primary made unhealthy: the edge fails over to the secondary within the predicted RTO',
  async run({ topology }) {
    const zone = topology.model.zones.find((z) => z.name === 'global' && z.secondary);
    if (!zone?.secondary) return 'skipped: no global zone with a secondary';
    const timing = scaledFailoverTiming(topology.model, topology.endpoints.timeScale);
    const rtoMs = timing.predictedRtoScaledSeconds * 1000;
    // Route 53 does not say when within an interval the first failing check lands: allow one interval.
    const boundMs = rtoMs + timing.healthCheckIntervalMs;
    const expected = `${zone.name}/${zone.secondary.region}`;
    const started = Date.now();
    await control(topology, `/cells/${zone.name}/${zone.primary.region}/health`, { healthy: false });
    try {
      const elapsed = await waitFor(boundMs + 2000, async () => {
        const { servedBy } = await get(`${topology.endpoints.edge}/v1/health`, {
          [CLIENT_COUNTRY_HEADER]: 'US',
        });
        return servedBy === expected ? Date.now() - started : undefined;
      });
      expect(elapsed !== undefined, `still not served by ${expected} after ${boundMs + 2000} ms`);
      expect(elapsed! <= boundMs, `failover took ${elapsed} ms, bound ${boundMs} ms`);
      return `served by ${expected} after ${(elapsed! / 1000).toFixed(1)} s (cloud-equivalent ${(elapsed! / 1000 / timing.timeScale).toFixed(0)} s; predicted RTO ${(rtoMs / 1000).toFixed(1)} s = ${timing.predictedRtoCloudSeconds} s in the cloud)`;
    } finally {
      await control(topology, '/reset');
    }
  },
};

const resetRestores: DemoStep = {
  name: 'after /control/reset the global zone is served by its primary again',
  async run({ topology }) {
    const zone = topology.model.zones.find((z) => z.name === 'global');
    if (!zone) return 'skipped: no global zone';
    const { servedBy } = await get(`${topology.endpoints.edge}/v1/health`, { [CLIENT_COUNTRY_HEADER]: 'US' });
    expect(servedBy === `${zone.name}/${zone.primary.region}`, `served by ${servedBy}`);
    return `US -> ${servedBy}`;
  },
};

export const DEMO_STEPS: readonly DemoStep[] = [
  cellsHealthy,
  geoRouting,
  replication,
  ...COMMERCE_STEPS,
  failover,
  resetRestores,
];

export type { DemoContext, DemoResult, DemoStep };

export async function runDemo(
  context: DemoContext,
  steps: readonly DemoStep[] = DEMO_STEPS,
): Promise<{ ok: boolean; results: DemoResult[] }> {
  const results: DemoResult[] = [];
  for (const [index, step] of steps.entries()) {
    const started = Date.now();
    context.log(`demo ${index + 1}/${steps.length}: ${step.name}`);
    try {
      const detail = await step.run(context);
      results.push({ name: step.name, ok: true, detail, ms: Date.now() - started });
      context.log(`  PASS ${detail}`);
    } catch (error) {
      results.push({
        name: step.name,
        ok: false,
        detail: (error as Error).message,
        ms: Date.now() - started,
      });
      context.log(`  FAIL ${(error as Error).message}`);
    }
  }
  return { ok: results.every((r) => r.ok), results };
}
