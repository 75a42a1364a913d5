import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AssemblyError, environmentsOf, readAssembly } from './deployment/assembly';
import { failUsage, partitionArg, zodProblems } from './deployment/cli';
import { bootstrapCommands, shellLine } from './deployment/plan';

/**
 * Prints `cdk bootstrap` for every environment (account/region) the
 * synthesized stacks deploy to, per partition: run each with credentials of
 * that partition's account before the first deploy.
 *
 *   npx cdk synth --quiet
 *   npm run bootstrap:print -- [--partition aws] [--profile my-aws-admin] [--assembly cdk.out]
 */
const USAGE = 'usage: npm run bootstrap:print -- [--partition P] [--profile NAME] [--assembly cdk.out]';

const argsSchema = z.object({
  partition: partitionArg.optional(),
  profile: z.string().min(1).optional(),
  assembly: z.string().min(1).default('cdk.out'),
});

export function main(argv: readonly string[]): number {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      partition: { type: 'string' },
      profile: { type: 'string' },
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
  const { partition, profile, assembly } = parsed.data;
  try {
    const stacks = readAssembly(assembly);
    const environments = environmentsOf(stacks).filter((env) => !partition || env.partition === partition);
    let current = '';
    for (const env of environments) {
      if (env.partition !== current) {
        current = env.partition;
        process.stdout.write(`# partition ${current}: credentials of account ${env.account}\n`);
      }
      const [command] = bootstrapCommands(
        stacks.filter((s) => s.account === env.account && s.region === env.region),
        { ...(profile ? { profile } : {}) },
      );
      process.stdout.write(`${shellLine(command!)}   # ${env.stacks.join(', ')}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof AssemblyError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
