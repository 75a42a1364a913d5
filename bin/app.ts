#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { COMMERCE_APP_CONTEXT } from '../lib/app/app-context';
import { buildCommerceApp } from '../lib/app/build-app';
import { formatStackTable } from '../lib/app/stack-table';
import { loadGeneratorRegionsFromContext } from '../lib/stacks/load-generator-stack';
import { DEFAULT_TOPOLOGY_FILE, loadTopology, type TopologyModel, TopologyError } from '../lib/topology';

/** CDK entry: load the topology (`-c topology=PATH`), build the stacks, print them. Nothing else. */
const app = new App({ postCliContext: COMMERCE_APP_CONTEXT });

const topologyPath: unknown = app.node.tryGetContext('topology') ?? DEFAULT_TOPOLOGY_FILE;
let model: TopologyModel;
try {
  if (typeof topologyPath !== 'string') {
    throw new TopologyError(String(topologyPath), [
      'the topology context must be a file path: -c topology=PATH',
    ]);
  }
  model = loadTopology(topologyPath);
} catch (error) {
  if (!(error instanceof TopologyError)) throw error;
  // A configuration mistake, not a bug: the message lists every problem; a stack trace would bury it.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

let loadGeneratorRegions: readonly string[];
try {
  // Opt-in k6 load generators: -c loadGenerators=us-east-1,eu-central-1 (or a list in cdk.json).
  loadGeneratorRegions = loadGeneratorRegionsFromContext(model, app.node.tryGetContext('loadGenerators'));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}

const built = buildCommerceApp(app, model, { loadGeneratorRegions });
process.stderr.write(
  `Topology ${topologyPath}: ${built.rows.length} stacks\n${formatStackTable(built.rows)}`,
);
app.synth();
