import { parseArgs } from 'node:util';
import { z } from 'zod';

/** The API bench's options, parsed from its command line when its `main` runs (never at import). */

export const API_BENCH_USAGE = `usage: npx tsx bench/api.bench.ts [--smoke] [--json] [--init-runs N] [--runs N] [--reads N]
  [--checkouts N] [--concurrency N]`;

const count = z.coerce.number().int('must be a positive integer').min(1, 'must be a positive integer');

const argsSchema = z.strictObject({
  smoke: z.boolean().default(false),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
  'init-runs': count.optional(),
  reads: count.optional(),
  checkouts: count.optional(),
  runs: count.optional(),
  concurrency: count.optional(),
});

export interface ApiBenchOptions {
  readonly smoke: boolean;
  /** Machine-readable result on stdout (progress on stderr). */
  readonly json: boolean;
  readonly help: boolean;
  /** Fresh node processes timed for module init. */
  readonly initRuns: number;
  /** get-product requests per variant per run. */
  readonly reads: number;
  /** Checkouts per variant per run. */
  readonly checkouts: number;
  readonly runs: number;
  /** Clients of the get-product throughput runs. */
  readonly concurrency: number;
  /** Requests per variant per throughput run. */
  readonly throughputRequests: number;
  /** Requests per path before measuring: a warm Lambda serves many; cold starts are the init figure's business. */
  readonly warmUp: number;
}

export class ApiBenchArgsError extends Error {
  override name = 'ApiBenchArgsError';
}

export function parseApiBenchArgs(argv: readonly string[]): ApiBenchOptions {
  let values: unknown;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        smoke: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'init-runs': { type: 'string' },
        reads: { type: 'string' },
        checkouts: { type: 'string' },
        runs: { type: 'string' },
        concurrency: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new ApiBenchArgsError(`${(error as Error).message}\n${API_BENCH_USAGE}`);
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ApiBenchArgsError(`${problems}\n${API_BENCH_USAGE}`);
  }
  const args = parsed.data;
  const smoke = args.smoke;
  return {
    smoke,
    json: args.json,
    help: args.help,
    initRuns: args['init-runs'] ?? (smoke ? 3 : 20),
    reads: args.reads ?? (smoke ? 40 : 400),
    checkouts: args.checkouts ?? (smoke ? 15 : 120),
    runs: args.runs ?? (smoke ? 2 : 3),
    concurrency: args.concurrency ?? 8,
    throughputRequests: smoke ? 200 : 2000,
    warmUp: smoke ? 30 : 300,
  };
}
