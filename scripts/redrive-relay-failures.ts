import { parseArgs } from 'node:util';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { failUsage, zodProblems } from './deployment/cli';
import { type RedriveClients, redriveRelayFailures, summarize } from './deployment/relay-redrive';

/**
 * Redrives the outbox relay's failure queue of one cell (runbooks/relay-failure-redrive.md):
 *
 *   npm run relay:redrive -- --region us-east-1 --queue-url <RelayFailureQueueUrl> \
 *     --function <RelayFunctionName> [--profile NAME] [--max 50] [--dry-run]
 *
 * Both values are outputs of the cell stack. Exit code 0 when every message was redriven (or, with
 * --dry-run, could be), 1 when any was kept, 2 on bad arguments.
 */
const USAGE =
  'usage: npm run relay:redrive -- --region R --queue-url URL --function NAME [--profile NAME] [--max N] [--dry-run]';

const argsSchema = z.object({
  region: z.string().regex(/^[a-z]{2,4}(-[a-z]+)+-\d$/, 'must be a region such as us-east-1'),
  'queue-url': z.url(),
  function: z.string().min(1),
  profile: z.string().min(1).optional(),
  max: z.coerce.number().int().min(1).max(10_000).default(100),
  'dry-run': z.boolean().default(false),
});

export async function main(argv: readonly string[], clients?: RedriveClients): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      region: { type: 'string' },
      'queue-url': { type: 'string' },
      function: { type: 'string' },
      profile: { type: 'string' },
      max: { type: 'string' },
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
  const config = { region: args.region, ...(args.profile ? { profile: args.profile } : {}) };
  const outcomes = await redriveRelayFailures(
    clients ?? {
      sqs: new SQSClient(config),
      streams: new DynamoDBStreamsClient(config),
      lambda: new LambdaClient(config),
    },
    {
      queueUrl: args['queue-url'],
      functionName: args.function,
      maxMessages: args.max,
      dryRun: args['dry-run'],
    },
  );
  process.stdout.write(summarize(outcomes));
  return outcomes.every((o) => o.outcome === 'redriven' || o.outcome === 'would-redrive') ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
