import { Resolver } from 'node:dns/promises';
import { parseArgs } from 'node:util';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { DEFAULT_TOPOLOGY_FILE, loadTopology, TopologyError } from '../lib/topology';
import { AssemblyError, readAssembly } from './deployment/assembly';
import { failUsage, partitionArg, zodProblems } from './deployment/cli';
import { formatResults, type PreflightClients, runPreflight } from './deployment/preflight';

/**
 * Checks an account before `npm run deploy`, read-only:
 *
 *   npx cdk synth --quiet
 *   npm run preflight -- --partition aws --profile my-aws-admin
 *   npm run preflight -- --partition aws-eusc --profile my-eusc-admin
 *
 * One PASS/WARN/FAIL line per check; exit code 0 when nothing failed, 1 otherwise, 2 on bad arguments.
 */
const USAGE =
  'usage: npm run preflight -- --partition P [--profile NAME] [--topology topology.yaml] [--assembly cdk.out]';

const argsSchema = z.object({
  partition: partitionArg,
  profile: z.string().min(1).optional(),
  topology: z.string().min(1).default(DEFAULT_TOPOLOGY_FILE),
  assembly: z.string().min(1).default('cdk.out'),
});

export function awsClients(profile: string | undefined): PreflightClients {
  const config = (region: string) => ({ region, ...(profile ? { profile } : {}) });
  const resolver = new Resolver({ timeout: 5000, tries: 2 });
  return {
    sts: (region) => new STSClient(config(region)),
    ssm: (region) => new SSMClient(config(region)),
    apiGateway: (region) => new APIGatewayClient(config(region)),
    route53: (region) => new Route53Client(config(region)),
    dynamodb: (region) => new DynamoDBClient(config(region)),
    cloudFormation: (region) => new CloudFormationClient(config(region)),
    resolveNs: (name) => resolver.resolveNs(name),
  };
}

export async function main(argv: readonly string[], clients?: PreflightClients): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      partition: { type: 'string' },
      profile: { type: 'string' },
      topology: { type: 'string' },
      assembly: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) failUsage(USAGE, zodProblems(parsed.error));
  const args = parsed.data;
  try {
    const results = await runPreflight({
      model: loadTopology(args.topology),
      stacks: readAssembly(args.assembly),
      partition: args.partition,
      clients: clients ?? awsClients(args.profile),
    });
    process.stdout.write(`Preflight of partition ${args.partition} (${args.topology}, ${args.assembly})\n`);
    process.stdout.write(formatResults(results));
    return results.some((r) => r.status === 'FAIL') ? 1 : 0;
  } catch (error) {
    if (error instanceof AssemblyError || error instanceof TopologyError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
