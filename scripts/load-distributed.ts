import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { DEFAULT_TOPOLOGY_FILE, loadTopology } from '../lib/topology';
import { PROFILE_NAMES } from '../loadtests/profiles';
import {
  defaultCloudFormation,
  EcsLoadEngine,
  resolveRegionLoadGenerator,
} from '../loadtests/engine/aws-ecs-engine';
import { LocalProcessEngine } from '../loadtests/engine/local-engine';
import { formatMergedResult } from '../loadtests/engine/merge';
import { type LoadEngine, runDistributedLoad } from '../loadtests/engine/orchestrator';
import { expectedRunSeconds, parseLoadPlan } from '../loadtests/engine/plan';

/**
 * Distributed load from the command line (standalone until the drill CLI
 * runs it during a drill): N generators per region, merged into one result.
 *   --engine local: Node processes on this machine against a loopback URL (regions are labels, SIMULATED)
 *   --engine aws:   k6 tasks on each region's LoadGeneratorStack (deploy it first)
 * Ctrl-C stops every generator. Exit 0 when the merged thresholds pass, 1 when not, 2 on bad input.
 */

const USAGE = `usage: npm run load:distributed -- --engine local|aws --profile <${PROFILE_NAMES.join('|')}>
  --base-url URL --regions eu-central-1:2,us-east-1:1 [--flow shopper|health] [--token T] [--country DE]
  [--duration-scale 0.05] [--max-iterations-per-task N] [--run-id ID] [--topology topology.yaml] [--out result.json]`;

const argsSchema = z.strictObject({
  engine: z.enum(['local', 'aws']),
  profile: z.enum(PROFILE_NAMES),
  'base-url': z.string(),
  regions: z
    .string()
    .regex(/^([a-z0-9-]+:\d+)(,[a-z0-9-]+:\d+)*$/, 'region:tasks pairs, e.g. eu-central-1:2,us-east-1:1')
    .transform((value) =>
      value.split(',').map((pair) => {
        const [region, tasks] = pair.split(':');
        return { region: region!, tasks: Number(tasks) };
      }),
    ),
  flow: z.enum(['shopper', 'health']).optional(),
  token: z.string().optional(),
  country: z.string().optional(),
  'duration-scale': z.coerce.number().optional(),
  'max-iterations-per-task': z.coerce.number().int().optional(),
  'run-id': z.string().optional(),
  topology: z.string().default(DEFAULT_TOPOLOGY_FILE),
  out: z.string().optional(),
});

async function engineFor(
  args: z.output<typeof argsSchema>,
): Promise<{ engine: LoadEngine; startupSeconds: number }> {
  if (args.engine === 'local') {
    return {
      engine: new LocalProcessEngine({
        resultsDir: mkdtempSync(join(tmpdir(), 'load-local-')),
        maxSecondsPerTask: 3600,
      }),
      startupSeconds: 30,
    };
  }
  const model = loadTopology(args.topology);
  const generators = new Map(
    await Promise.all(
      args.regions.map(
        async ({ region }) =>
          [
            region,
            await resolveRegionLoadGenerator(defaultCloudFormation(region), model.appName, region),
          ] as const,
      ),
    ),
  );
  const ecs = new Map<string, ECSClient>();
  const s3 = new Map<string, S3Client>();
  const cached = <T>(cache: Map<string, T>, region: string, make: () => T) =>
    cache.get(region) ?? cache.set(region, make()).get(region)!;
  return {
    engine: new EcsLoadEngine(generators, {
      ecs: (region) => cached(ecs, region, () => new ECSClient({ region })),
      s3: (region) => cached(s3, region, () => new S3Client({ region })),
    }),
    // Fargate provisioning and image pulls, then the upload after k6 ends.
    startupSeconds: 300,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(Object.keys(argsSchema.shape).map((name) => [name, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  const { help, ...rest } = values;
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const parsedArgs = argsSchema.safeParse(rest);
  if (!parsedArgs.success) {
    for (const issue of parsedArgs.error.issues) console.error(`--${issue.path.join('.')}: ${issue.message}`);
    console.error(USAGE);
    return 2;
  }
  const args = parsedArgs.data;
  let plan: ReturnType<typeof parseLoadPlan>;
  try {
    plan = parseLoadPlan({
      runId:
        args['run-id'] ?? `load-${new Date().toISOString().slice(0, 19).replace(/[T:]/g, '-').toLowerCase()}`,
      profile: args.profile,
      baseUrl: args['base-url'],
      regions: args.regions,
      ...(args.flow ? { flow: args.flow } : {}),
      ...(args.token ? { token: args.token } : {}),
      ...(args.country ? { clientCountry: args.country } : {}),
      ...(args['duration-scale'] ? { durationScale: args['duration-scale'] } : {}),
      ...(args['max-iterations-per-task'] ? { maxIterationsPerTask: args['max-iterations-per-task'] } : {}),
    });
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const { engine, startupSeconds } = await engineFor(args);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  const run = await runDistributedLoad(engine, plan, {
    signal: controller.signal,
    pollIntervalMs: args.engine === 'aws' ? 10_000 : 250,
    deadlineMs: (expectedRunSeconds(plan) + startupSeconds) * 1000,
    stopGraceMs: args.engine === 'aws' ? 150_000 : 10_000,
    log: (line) => console.log(line),
  });
  console.log(formatMergedResult(run.result));
  if (args.out) writeFileSync(args.out, `${JSON.stringify(run, null, 2)}\n`);
  return run.result.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(2);
  },
);
