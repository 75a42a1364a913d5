/**
 * Residency evidence for compliance reviewers.
 *
 *   npx tsx scripts/residency.ts [--assembly cdk.out] [--terraform cdktf.out] [--topology topology.yaml] [--out residency-report]
 *
 * Reads the synthesized cloud assembly, the second CDN vendor's Terraform JSON
 * (`npm run cdn:synth`) and the topology, runs the same rules that guard
 * synth, writes Markdown, JSON, a self-contained HTML page and per-zone
 * region-deny SCPs. Exit 0: compliant; 1: violations; 2: cannot run (no
 * assembly, an invalid topology, or a topology with Cloudflare but no
 * Terraform JSON to check it in).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TERRAFORM_OUTDIR } from '../lib/cdn-terraform/outdir';
import { inventoryFromAssembly, terraformSourcesFromOutdir } from '../lib/residency';
import { buildResidencyReport, writeResidencyReport } from '../lib/residency/report';
import { DEFAULT_TOPOLOGY_FILE, loadTopology, TopologyError } from '../lib/topology';

function main(): number {
  const { values } = parseArgs({
    options: {
      assembly: { type: 'string', default: 'cdk.out' },
      terraform: { type: 'string', default: DEFAULT_TERRAFORM_OUTDIR },
      topology: { type: 'string', default: DEFAULT_TOPOLOGY_FILE },
      out: { type: 'string', default: 'residency-report' },
    },
  });
  const assembly = resolve(values.assembly);
  if (!existsSync(join(assembly, 'manifest.json'))) {
    console.error(`No cloud assembly at ${assembly}; run \`npx cdk synth\` first or pass --assembly DIR.`);
    return 2;
  }
  let model: ReturnType<typeof loadTopology>;
  try {
    model = loadTopology(values.topology);
  } catch (error) {
    console.error(error instanceof TopologyError ? error.message : String(error));
    return 2;
  }
  const terraform = resolve(values.terraform);
  if (model.config.edge.cloudflare && terraformSourcesFromOutdir(terraform).length === 0) {
    console.error(
      `The topology fronts zones with Cloudflare, but there is no Terraform JSON at ${terraform}; run \`npm run cdn:synth\` (with the same topology) first or pass --terraform DIR.`,
    );
    return 2;
  }
  const report = buildResidencyReport(inventoryFromAssembly(assembly, model, terraform));
  const files = writeResidencyReport(report, resolve(values.out));
  console.log(
    `${report.entries.length} resources that store or carry data; ${report.cdns.length} CDNs (${
      report.cdns
        .map((c) => c.vendor)
        .filter((v, i, all) => all.indexOf(v) === i)
        .join(', ') || 'none'
    }); ${report.violations.length} violation(s).`,
  );
  for (const v of report.violations) console.log(`  [${v.ruleId}] ${v.constructPath}: ${v.message}`);
  for (const file of files) console.log(`wrote ${file}`);
  return report.compliant ? 0 : 1;
}

process.exitCode = main();
