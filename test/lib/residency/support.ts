import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Tags } from 'aws-cdk-lib';
import {
  buildInventory,
  type Finding,
  type Inventory,
  stackSourcesFromAssembly,
  terraformSourcesFromOutdir,
} from '../../../lib/residency';
import { TAG_KEYS } from '../../../lib/tagging';
import { buildModel, parseTopology, type TopologyModel } from '../../../lib/topology';
import { validTopology } from '../../support/topologies';
import { testAppProps } from '../app/synth-fixture';

/**
 * A topology with one zone of each kind the rules distinguish: `global`
 * (residency none, two aws regions), `eu` (residency eu, two EU regions) and
 * `sov` (sovereign, aws-eusc).
 */
export const TEST_MODEL: TopologyModel = buildModel(
  parseTopology({
    ...validTopology(),
    appName: 'shop',
    zones: [
      validTopology().zones[0]!,
      {
        name: 'eu',
        residency: 'eu',
        primaryRegion: 'eu-central-1',
        secondaryRegion: 'eu-west-1',
        geographies: ['continent:EU'],
      },
      {
        name: 'sov',
        residency: 'eu',
        sovereign: true,
        primaryRegion: 'eusc-de-east-1',
        geographies: ['country:DE'],
      },
    ],
  }),
);

export const ACCOUNT = '111111111111';

/** A stack pinned to a region and tagged like the real stacks tag theirs. */
export function zoneStack(
  app: App,
  id: string,
  zone: string,
  region: string,
  classification: string | undefined = 'personal',
): Stack {
  const account = region.startsWith('eusc-') ? '222222222222' : ACCOUNT;
  const stack = new Stack(app, id, { env: { account, region } });
  Tags.of(stack).add(TAG_KEYS.zone, zone);
  if (classification) Tags.of(stack).add(TAG_KEYS.dataClassification, classification);
  return stack;
}

/** Synthesize a small app into a temporary directory and build the residency inventory from it. */
export function synthInventory(define: (app: App) => void, model: TopologyModel = TEST_MODEL): Inventory {
  const outdir = mkdtempSync(join(tmpdir(), 'residency-'));
  try {
    const app = new App({ outdir, ...testAppProps() });
    define(app);
    app.synth();
    return buildInventory(stackSourcesFromAssembly(outdir), model);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export const violations = (findings: readonly Finding[]) => findings.filter((f) => !f.compliant);

/** The construct paths of the violations, for assertions that name the resource. */
export const violatingPaths = (findings: readonly Finding[]) =>
  violations(findings).map((f) => f.constructPath);

/**
 * The inventory of one Terraform JSON document, written the way `npm run
 * cdn:synth` writes it (a cdktf manifest and stacks/<name>/cdk.tf.json).
 */
export function terraformInventory(config: unknown, model: TopologyModel = TEST_MODEL): Inventory {
  const outdir = mkdtempSync(join(tmpdir(), 'residency-tf-'));
  try {
    mkdirSync(join(outdir, 'stacks', 'cdn'), { recursive: true });
    writeFileSync(
      join(outdir, 'manifest.json'),
      JSON.stringify({ stacks: { cdn: { synthesizedStackPath: 'stacks/cdn/cdk.tf.json' } } }),
    );
    writeFileSync(join(outdir, 'stacks', 'cdn', 'cdk.tf.json'), JSON.stringify(config));
    return buildInventory([], model, terraformSourcesFromOutdir(outdir));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
