import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AssemblyError, readAssembly } from './deployment/assembly';
import { failUsage, partitionArg, zodProblems } from './deployment/cli';
import { deployCommand, PlanError, partitionPlan, shellLine } from './deployment/plan';

/**
 * Deploys one partition of a synthesized assembly:
 *
 *   npx cdk synth --quiet [-c topology=FILE]
 *   npm run deploy -- --partition aws --profile my-aws-admin [--stacks commerce-routing] [--dry-run]
 *   npm run deploy -- --partition aws-eusc --profile my-eusc-admin
 *
 * It selects that partition's stacks (or the named ones and what they depend
 * on), prints them in deployment order, and runs `cdk deploy --app <assembly>
 * --exclusively` on exactly those. --dry-run prints and stops.
 */
const USAGE =
  'usage: npm run deploy -- --partition <aws|aws-eusc|...> [--profile NAME] [--assembly cdk.out] [--stacks NAME,...] [--require-approval never|any-change|broadening] [--dry-run]';

const argsSchema = z.object({
  partition: partitionArg,
  profile: z.string().min(1).optional(),
  assembly: z.string().min(1).default('cdk.out'),
  stacks: z
    .string()
    .optional()
    .transform((text) =>
      text
        ? text
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    ),
  'require-approval': z.enum(['never', 'any-change', 'broadening']).optional(),
  'dry-run': z.boolean().default(false),
});

export function main(argv: readonly string[]): number {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      partition: { type: 'string' },
      profile: { type: 'string' },
      assembly: { type: 'string' },
      stacks: { type: 'string' },
      'require-approval': { type: 'string' },
      'dry-run': { type: 'boolean' },
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
    const plan = partitionPlan(readAssembly(args.assembly), args.partition, args.stacks);
    const command = deployCommand(plan, {
      assembly: args.assembly,
      ...(args.profile ? { profile: args.profile } : {}),
      ...(args['require-approval'] ? { requireApproval: args['require-approval'] } : {}),
    });
    process.stdout.write(`Partition ${args.partition}: ${plan.length} stacks, in deployment order\n`);
    for (const [i, stack] of plan.entries()) {
      process.stdout.write(
        `  ${String(i + 1).padStart(2)}. ${stack.id}  (${stack.account}, ${stack.region})\n`,
      );
    }
    process.stdout.write(`${shellLine(command)}\n`);
    if (args['dry-run']) return 0;
    const result = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit' });
    return result.status ?? 1;
  } catch (error) {
    if (error instanceof AssemblyError || error instanceof PlanError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
