import { z } from 'zod';
import { PARTITIONS } from '../../lib/topology';

/** Shared argument schemas of the deployment scripts: validated at the edge, one message per problem. */
export const partitionArg = z.enum(PARTITIONS, {
  error: () => `--partition must be one of ${PARTITIONS.join(', ')}`,
});

export function failUsage(usage: string, problems: readonly string[]): never {
  process.stderr.write(`${problems.map((p) => `error: ${p}`).join('\n')}\n${usage}\n`);
  process.exit(2);
}

export function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) =>
    issue.path.length > 0 ? `--${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
}
