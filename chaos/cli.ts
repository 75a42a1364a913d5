import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startLocalTopology } from '../local/topology';
import { awsFault, awsFaultArgsSchema, holdFault } from './aws-fault';
import { DRILL_NAMES, DRILLS, drillByName, isDrillName } from './drills';
import { DEFAULT_QUIESCENCE_BOUND_SECONDS } from './local/context';
import { localDrillPlan } from './local/plan';
import { outcomeWord, type Verdict } from './metrics';
import { runDrill } from './orchestrator';
import { DEFAULT_DRILLS_DIR, readIndex, writeIndex, writeReport } from './report';

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
  index [--out drills]                   rebuild drills/index.md and index.html
  aws-fault <route53|drill-flag|fis> ... hold one fault on a real deployment for --duration seconds
run options:
  --local                 required: run against the local topology this command boots (SIMULATED)
  --short                 shorter phases (about a minute in total)
  --zone <name>           zone to drill (default global)
  --time-scale <x>        0 < x <= 1, health checks and DNS TTL scaled (default 0.1)
  --base-port <port>      first loopback port of the local topology it boots (default 4700, so it does not
                          collide with \`npm run local\` on 4400)
  --rate <n>              requests per second of the background load (default 4, at most 50)
  --topology <file>       topology file (default topology.yaml)
  --out <dir>             where reports go (default drills)
aws-fault options:
  route53 --health-check-id <id> --duration <s>
  drill-flag --table <name> --region <region> --duration <s>
  fis --template <id> --region <region> --duration <s>
  --duration is 10-3600 seconds, held exactly (observations every 10 s, the last one shorter)
drills: ${DRILL_NAMES.join(', ')}
exit codes: run: 0 PASS, 1 FAIL or ABORTED, 3 INCONCLUSIVE, 2 bad input; aws-fault: 0 rolled back, 1 otherwise; --help: 0`;

const isHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

/** Exit code per verdict; 2 is bad input. INCONCLUSIVE is neither a pass nor a failure: run it again. */
export const VERDICT_EXIT_CODES: Readonly<Record<Verdict, number>> = {
  pass: 0,
  fail: 1,
  aborted: 1,
  inconclusive: 3,
};

const runArgsSchema = z.object({
  drill: z.string().refine(isDrillName, 'unknown drill'),
  local: z.literal(true, {
    error: 'only --local runs are implemented by this command; see runbooks/ for AWS',
  }),
  short: z.boolean().default(false),
  zone: z.string().min(1).default('global'),
  'time-scale': z.coerce.number().positive().max(1).default(0.1),
  'base-port': z.coerce.number().int().min(1024).max(65_000).default(4700),
  rate: z.coerce.number().positive().max(50).default(4),
  topology: z.string().min(1).optional(),
  out: z.string().min(1).default(DEFAULT_DRILLS_DIR),
  'quiescence-bound': z.coerce.number().positive().max(600).default(DEFAULT_QUIESCENCE_BOUND_SECONDS),
});

async function run(args: string[]): Promise<number> {
  if (isHelp(args)) {
    console.log(USAGE);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      local: { type: 'boolean' },
      short: { type: 'boolean' },
      zone: { type: 'string' },
      'time-scale': { type: 'string' },
      'base-port': { type: 'string' },
      rate: { type: 'string' },
      topology: { type: 'string' },
      out: { type: 'string' },
      'quiescence-bound': { type: 'string' },
    },
  });
  const parsed = runArgsSchema.safeParse({ ...values, drill: positionals[0] });
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      console.error(`${issue.path.join('.') || 'arguments'}: ${issue.message}`);
    console.error(`drills: ${DRILL_NAMES.join(', ')}`);
    return 2;
  }
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
      quiescenceBoundSeconds: options['quiescence-bound'],
      log,
    });
    const report = await runDrill({ ...plan, handleSignals: true });
    const dir = writeReport(report, options.out);
    log(`\n${report.verdict.toUpperCase()}${report.abortReason ? ` (${report.abortReason})` : ''}`);
    for (const c of report.criteria) log(`  ${outcomeWord(c).padEnd(12)} ${c.name}: ${c.detail}`);
    log(`  figures: ${JSON.stringify(report.figures)}`);
    for (const note of report.notes) log(`  note: ${note}`);
    log(`report: ${dir}/summary.md, ${dir}/report.html`);
    return VERDICT_EXIT_CODES[report.verdict];
  } finally {
    await topology.stop();
  }
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
