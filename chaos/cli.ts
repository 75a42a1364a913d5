import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startLocalTopology } from '../local/topology';
import { awsFault, awsFaultArgsSchema, holdFault } from './aws-fault';
import { DRILL_NAMES, DRILLS, drillByName, isDrillName } from './drills';
import { formatMergedResult } from '../loadtests/engine/merge';
import { AWS_RUN_OPTIONS, AWS_RUN_USAGE } from './aws/args';
import { archive, auditBucketClient, awsRegionSchema, historyCommand } from './history/command';
import { type S3Target, s3TargetSchema } from './history/s3-archive';
import { DEFAULT_QUIESCENCE_BOUND_SECONDS } from './local/context';
import { localDrillPlan } from './local/plan';
import { MAX_LOAD_PROCESSES } from './local/process-load';
import { outcomeWord, type Verdict } from './metrics';
import { runDrill } from './orchestrator';
import { DEFAULT_DRILLS_DIR, type DrillReport, readIndex, writeIndex, writeReport } from './report';

/**
 * Drill command line.
 *   npx tsx chaos/cli.ts list
 *   npx tsx chaos/cli.ts run <drill> --local [--short] [--zone global] [--time-scale 0.1] [--base-port 4700]
 *                                   [--rate 4] [--topology topology.yaml] [--out drills] [--quiescence-bound 60]
 *   npx tsx chaos/cli.ts index [--out drills]
 *   npx tsx chaos/cli.ts aws-fault route53 --health-check-id <id> --duration <s>
 *   npx tsx chaos/cli.ts aws-fault drill-flag --table <name> --region <region> --duration <s>
 *   npx tsx chaos/cli.ts aws-fault fis --template <id> --region <region> --duration <s>
 * `aws-fault` holds one fault on a real deployment (credentials from the usual
 * AWS chain) while k6 drives the load, and rolls it back after the duration,
 * on Ctrl-C or on error; exit 0 when rolled back cleanly, 1 otherwise.
 * `run --local` boots the local topology, runs the drill under load, always
 * rolls the fault back (also on Ctrl-C), writes drills/<timestamp>-<drill>/
 * and exits with VERDICT_EXIT_CODES (0 PASS, 1 FAIL or ABORTED, 3 INCONCLUSIVE),
 * 2 on bad input.
 */

const USAGE = `usage: npm run drill -- <command> [options]    (= npx tsx chaos/cli.ts ...)
commands:
  list                                   the drills and what each proves
  run <drill> --local [options]          boot the local topology, run the drill under load, write a report
  run <drill> --aws [options]            the drill on a deployment: preflight, steady state, confirmation,
                                         fault, k6 load on ECS, abort alarms, rollback, report
  history [--out drills] [--s3 ...]      drills/history.html: RTO, failed requests, lost writes over time
  index [--out drills]                   rebuild drills/index.md and index.html
  aws-fault <route53|drill-flag|fis> ... hold one fault on a real deployment for --duration seconds
run options:
  --local                 run against the local topology this command boots (SIMULATED)
  --aws                   run against a deployment (credentials from the usual AWS chain)
  --short                 shorter phases (about a minute in total; --local)
  --zone <name>           zone to drill (default global)
  --time-scale <x>        0 < x <= 1, health checks and DNS TTL scaled (default 0.1; --local)
  --base-port <port>      first loopback port of the local topology it boots (default 4700, so it does not
                          collide with \`npm run local\` on 4400)
  --rate <n>              requests per second of the background load (default 4, at most 50; --local)
  --load-processes <n>    load generator processes merged into one report (default 1; --local)
  --topology <file>       topology file (default topology.yaml)
  --out <dir>             where reports go (default drills)
  --report-s3 s3://<bucket>[/<prefix>] [--s3-region <region>]   also upload the report for audit
aws run options:
  --load-regions <r1,r2>  regions whose LoadGeneratorStack runs the k6 tasks (required)
  --profile <name>        load profile of loadtests/profiles.ts, long enough for the drill (required)
  --tasks-per-region <n>  k6 tasks per load region (default 1)
  --fault <mechanism>     route53 (inverted health check, default), drill-flag or fis
  --flow <shopper|health> shopper needs DRILL_TOKEN in the environment (default shopper)
  --steady-state-minutes <n>  CloudWatch window of the steady-state hypothesis (default 30)
  --yes                   skip the typed confirmation (required when stdin is not a terminal, e.g. CI)
aws-fault options:
  route53 --health-check-id <id> --duration <s>
  drill-flag --table <name> --region <region> --duration <s>
  fis --template <id> --region <region> --duration <s>
  --duration is 10-3600 seconds, held exactly (observations every 10 s, the last one shorter)
drills: ${DRILL_NAMES.join(', ')}
exit codes: run: 0 PASS, 1 FAIL or ABORTED (or --aws preflight failed / cancelled), 3 INCONCLUSIVE,
  4 report upload failed, 2 bad input; aws-fault: 0 rolled back, 1 otherwise; --help: 0`;

const isHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

/** Exit code per verdict; 2 is bad input. INCONCLUSIVE is neither a pass nor a failure: run it again. */
export const VERDICT_EXIT_CODES: Readonly<Record<Verdict, number>> = {
  pass: 0,
  fail: 1,
  aborted: 1,
  inconclusive: 3,
};

/** The run's report is on disk, but its upload to --report-s3 failed (upload it later with `history --s3`). */
export const REPORT_UPLOAD_FAILED_EXIT_CODE = 4;

/** Flags every `run` takes, local or AWS. */
const commonRunShape = {
  drill: z.string().refine(isDrillName, 'unknown drill'),
  zone: z.string().min(1).default('global'),
  topology: z.string().min(1).optional(),
  out: z.string().min(1).default(DEFAULT_DRILLS_DIR),
  'report-s3': s3TargetSchema.optional(),
  's3-region': awsRegionSchema.optional(),
};

const localRunArgsSchema = z.strictObject({
  ...commonRunShape,
  local: z.literal(true),
  short: z.boolean().default(false),
  'time-scale': z.coerce.number().positive().max(1).default(0.1),
  'base-port': z.coerce.number().int().min(1024).max(65_000).default(4700),
  rate: z.coerce.number().positive().max(50).default(4),
  'quiescence-bound': z.coerce.number().positive().max(600).default(DEFAULT_QUIESCENCE_BOUND_SECONDS),
  'load-processes': z.coerce.number().int().min(1).max(MAX_LOAD_PROCESSES).default(1),
});

const RUN_OPTIONS = {
  local: { type: 'boolean' },
  aws: { type: 'boolean' },
  short: { type: 'boolean' },
  yes: { type: 'boolean' },
  zone: { type: 'string' },
  'time-scale': { type: 'string' },
  'base-port': { type: 'string' },
  rate: { type: 'string' },
  topology: { type: 'string' },
  out: { type: 'string' },
  'quiescence-bound': { type: 'string' },
  'load-processes': { type: 'string' },
  'report-s3': { type: 'string' },
  's3-region': { type: 'string' },
  ...AWS_RUN_OPTIONS,
} as const;

const RUN_USAGE = `usage: npm run drill -- run <drill> --local [--short] [--zone global] [--rate 4] [--load-processes 1]
         [--time-scale 0.1] [--base-port 4700] [--quiescence-bound 60] [--topology topology.yaml]
         [--out drills] [--report-s3 s3://<bucket>[/<prefix>] [--s3-region <region>]]
       npm run drill -- run <drill> --aws ${AWS_RUN_USAGE}
drills: ${DRILL_NAMES.join(', ')}`;

function usageError(issues: readonly { path: PropertyKey[]; message: string }[]): number {
  for (const issue of issues) console.error(`${issue.path.join('.') || 'arguments'}: ${issue.message}`);
  console.error(RUN_USAGE);
  return 2;
}

/** Prints the verdict and the checks, and says where the report is. */
export function printOutcome(report: DrillReport, dir: string, log: (line: string) => void): void {
  log(`\n${report.verdict.toUpperCase()}${report.abortReason ? ` (${report.abortReason})` : ''}`);
  for (const c of report.criteria) log(`  ${outcomeWord(c).padEnd(12)} ${c.name}: ${c.detail}`);
  log(`  figures: ${JSON.stringify(report.figures)}`);
  if (report.load)
    for (const line of formatMergedResult(report.load.result).split('\n')) log(`  load: ${line}`);
  for (const note of report.notes) log(`  note: ${note}`);
  log(`report: ${dir}/summary.md, ${dir}/report.html, ${dir}/record.json`);
}

/** Writes the report (and its record), uploads it when asked, and turns the verdict into the exit code. */
async function finish(
  report: DrillReport,
  options: { readonly out: string; readonly 'report-s3'?: S3Target; readonly 's3-region'?: string },
  log: (line: string) => void,
): Promise<number> {
  const dir = writeReport(report, options.out);
  printOutcome(report, dir, log);
  const code = VERDICT_EXIT_CODES[report.verdict];
  const target = options['report-s3'];
  if (!target) return code;
  const uploaded = await archive(
    auditBucketClient(options['s3-region']),
    target,
    options.out,
    [report.id],
    undefined,
    {
      log,
      error: (line) => console.error(line),
    },
  );
  if (uploaded === 0) return code;
  console.error(
    `report upload FAILED; the report is in ${dir}: upload it later with npm run drill -- history --out ${options.out} --s3 s3://${target.bucket}/${target.prefix}`,
  );
  return REPORT_UPLOAD_FAILED_EXIT_CODE;
}

async function runLocal(values: Record<string, unknown>, drillName: string | undefined): Promise<number> {
  const parsed = localRunArgsSchema.safeParse({ ...values, drill: drillName });
  if (!parsed.success) return usageError(parsed.error.issues);
  const options = parsed.data;
  const drill = drillByName(options.drill);
  // Like `local/main.ts` without --verbose: the cells' request logs and EMF metrics would drown the drill output.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const log = (line: string) => console.log(line);
  log(`drill ${options.drill}${options.short ? ' (short)' : ''}: ${drill.definition.hypothesis}`);
  const topology = await startLocalTopology(
    {
      timeScale: options['time-scale'],
      basePort: options['base-port'],
      endpointsFile: null,
      ...(options.topology ? { topologyFile: options.topology } : {}),
    },
    (line) => log(`  local: ${line}`),
  );
  try {
    const plan = await localDrillPlan(topology, drill, {
      zone: options.zone,
      short: options.short,
      ratePerSecond: options.rate,
      loadProcesses: options['load-processes'],
      quiescenceBoundSeconds: options['quiescence-bound'],
      log,
    });
    const report = await runDrill({ ...plan, handleSignals: true });
    return await finish(report, options, log);
  } finally {
    await topology.stop();
  }
}

async function run(args: string[]): Promise<number> {
  if (isHelp(args)) {
    console.log(USAGE);
    return 0;
  }
  let parsedArgs: ReturnType<
    typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof RUN_OPTIONS }>
  >;
  try {
    parsedArgs = parseArgs({ args, allowPositionals: true, options: RUN_OPTIONS });
  } catch (error) {
    console.error((error as Error).message);
    console.error(RUN_USAGE);
    return 2;
  }
  const { values, positionals } = parsedArgs;
  if (values.local === values.aws) {
    console.error('arguments: give exactly one of --local (the local topology) or --aws (a deployment)');
    console.error(RUN_USAGE);
    return 2;
  }
  if (values.aws) {
    const { local: _local, ...awsValues } = values;
    // Loaded only for --aws: it brings the AWS SDK clients and lib/'s naming functions.
    const { runAwsCommand } = await import('./aws/command');
    return runAwsCommand(
      { ...awsValues, drill: positionals[0] },
      {
        usageError,
        finish: (report, options) => finish(report, options, (line) => console.log(line)),
      },
    );
  }
  const { aws: _aws, ...localValues } = values;
  return runLocal(localValues, positionals[0]);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || isHelp([command])) {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case 'list':
      for (const { definition } of DRILLS)
        console.log(
          `${definition.name.padEnd(24)} ${definition.title}${drillByName(definition.name).local ? '' : ' (no local run yet)'}`,
        );
      return 0;
    case 'run':
      return run(rest);
    case 'history':
      return historyCommand(rest);
    case 'index': {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' } } });
      const dir = values.out ?? DEFAULT_DRILLS_DIR;
      writeIndex(dir);
      console.log(`${readIndex(dir).length} drills indexed in ${dir}/index.md and ${dir}/index.html`);
      return 0;
    }
    case 'aws-fault': {
      if (isHelp(rest)) {
        console.log(USAGE);
        return 0;
      }
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          'health-check-id': { type: 'string' },
          table: { type: 'string' },
          region: { type: 'string' },
          template: { type: 'string' },
          duration: { type: 'string' },
        },
      });
      const parsed = awsFaultArgsSchema.safeParse({ ...values, mechanism: positionals[0] });
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          console.error(`${issue.path.join('.') || 'arguments'}: ${issue.message}`);
        return 2;
      }
      const drillId = `aws-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const result = await holdFault(awsFault(parsed.data, drillId), {
        durationSeconds: parsed.data.duration,
        signal: controller.signal,
        log: (line) => console.log(line),
      });
      return result.rolledBack && !result.error ? 0 : 1;
    }
    default:
      console.error(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(error.message);
      process.exit(2);
    },
  );
}
