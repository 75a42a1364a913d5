/**
 * The second CDN vendor as Terraform JSON.
 *
 *   npx tsx scripts/cdn-synth.ts [--topology topology.yaml] [--out cdktf.out]
 *
 * Synthesizes the Cloudflare stack of lib/cdn-terraform for the topology (no
 * credentials, no network), then runs the residency rules over the JSON it
 * wrote, exactly as `cdk synth` runs them over the CloudFormation templates.
 * Exit 0: written and compliant; 1: a residency violation; 2: cannot run
 * (invalid topology, or the topology has no edge.cloudflare).
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TERRAFORM_OUTDIR, synthCloudflare } from '../lib/cdn-terraform/synth';
import { buildInventory, describeFinding, evaluateRules, terraformSourcesFromOutdir } from '../lib/residency';
import { DEFAULT_TOPOLOGY_FILE, loadTopology, TopologyError, type TopologyModel } from '../lib/topology';

function main(): number {
  const { values } = parseArgs({
    options: {
      topology: { type: 'string', default: DEFAULT_TOPOLOGY_FILE },
      out: { type: 'string', default: DEFAULT_TERRAFORM_OUTDIR },
    },
  });
  let model: TopologyModel;
  try {
    model = loadTopology(values.topology);
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (!model.config.edge.cloudflare) {
    console.error(
      `Topology ${values.topology} has no edge.cloudflare: there is no second CDN vendor to synthesize. Add edge.cloudflare (accountId, zone) to the topology.`,
    );
    return 2;
  }
  const result = synthCloudflare(model, resolve(values.out));
  const counts = new Map<string, number>();
  const inventory = buildInventory([], model, terraformSourcesFromOutdir(result.outdir));
  for (const r of inventory.terraformResources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  console.log(`Topology ${values.topology}: Terraform JSON for ${result.stackName}`);
  console.log(`  ${relative(process.cwd(), result.configPath)}`);
  console.log(`  zones fronted: ${result.stack.zones.map((z) => z.name).join(', ')}`);
  console.log(`  hostnames: ${result.stack.hostnames.join(', ')}`);
  for (const [type, count] of [...counts].sort()) console.log(`  ${count} ${type}`);

  const findings = evaluateRules(inventory);
  const violations = findings.filter((f) => !f.compliant);
  console.log(
    `Residency: ${findings.length} checks on the Terraform JSON, ${violations.length} violation(s).`,
  );
  for (const v of violations) console.error(`ERROR ${describeFinding(v)}`);
  return violations.length === 0 ? 0 : 1;
}

process.exitCode = main();
