import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildInventory, stackSourcesFromAssembly, stackSourcesFromValidation } from '../../../lib/residency';
import { TEST_MODEL, zoneStack } from './support';
import { testAppProps } from '../app/synth-fixture';

function synthTo(define: (app: App) => void): string {
  const outdir = mkdtempSync(join(tmpdir(), 'residency-inv-'));
  const app = new App({ outdir, ...testAppProps() });
  define(app);
  app.synth();
  return outdir;
}

describe('residency inventory', () => {
  let outdir: string;
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  it('reads stacks of nested stages with region, partition, zone and construct path', () => {
    // Prepare
    outdir = synthTo((app) => {
      const stage = new Stage(app, 'Prod');
      new sqs.Queue(zoneStack(stage as unknown as App, 'Sov', 'sov', 'eusc-de-east-1'), 'Jobs');
      new sqs.Queue(new Stack(app, 'Us', { env: { account: '111111111111', region: 'us-west-2' } }), 'Jobs');
    });

    // Act
    const inventory = buildInventory(stackSourcesFromAssembly(outdir), TEST_MODEL);

    // Assess
    const queues = inventory.resources.filter((r) => r.type === 'AWS::SQS::Queue');
    expect(
      queues.map((q) => ({
        path: q.constructPath,
        region: q.stack.region,
        partition: q.stack.partition,
        zone: q.zone?.name,
        source: q.zoneSource,
      })),
    ).toEqual(
      expect.arrayContaining([
        {
          path: 'Prod/Sov/Jobs/Resource',
          region: 'eusc-de-east-1',
          partition: 'aws-eusc',
          zone: 'sov',
          source: 'resource-tag',
        },
        { path: 'Us/Jobs/Resource', region: 'us-west-2', partition: 'aws', zone: 'global', source: 'region' },
      ]),
    );
  });

  it('builds the same inventory from the stacks a validation plugin receives', () => {
    outdir = synthTo((app) => {
      new sqs.Queue(zoneStack(app, 'Eu', 'eu', 'eu-west-1'), 'Jobs');
    });
    const fromAssembly = buildInventory(stackSourcesFromAssembly(outdir), TEST_MODEL);

    const fromPlugin = buildInventory(
      stackSourcesFromValidation([
        { stackConstructPath: 'Eu', templatePath: join(outdir, 'Eu.template.json'), region: 'eu-west-1' },
      ]),
      TEST_MODEL,
    );

    const summary = (inv: typeof fromAssembly) =>
      inv.resources.map((r) => [r.constructPath, r.zone?.name, r.stack.region, r.stack.tags]);
    expect(summary(fromPlugin)).toEqual(summary(fromAssembly));
  });
});
