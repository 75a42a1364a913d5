import { parseArgs } from 'node:util';
import { z } from 'zod';
import { TopologyError } from '../lib/topology';
import { runDemo } from './demo';
import { DynamoDbLocalError } from './dynamodb-local';
import { PortBusyError } from './listener';
import { localTopologyOptionsSchema } from './options';
import { formatMiB, isAlive, launcherPids, topologyMemory } from './process-memory';
import { type LocalTopology, startLocalTopology } from './topology';

/**
 * CLI of the embedded default:
 *   npx tsx local/main.ts [--topology topology.yaml] [--base-port 4400] [--time-scale 1] [--demo]
 * Boots every zone and cell of the topology on loopback, prints a summary and
 * keeps running until Ctrl-C / SIGTERM; with --demo runs the demo flow and
 * exits 0 (all steps passed) or 1.
 */

const USAGE = `Usage: npx tsx local/main.ts [options]
  --topology <file>     topology file (default topology.yaml)
  --base-port <port>    first loopback port (default 4400): edge B, webhook sink B+1, DynamoDB Local B+2,
                        zone endpoints B+10.., cell APIs B+20.., CDNs B+30.. (catalog), B+40.., B+50..
  --time-scale <x>      multiplier for health-check intervals and DNS TTL, 0 < x <= 1 (default 1; --demo: 0.1)
  --endpoints-file <f>  where to write the endpoints file (default .local/endpoints.json)
  --webhook-port <port> a loopback port webhook endpoints may target besides the topology's own sink
                        (repeatable; every other loopback port is refused as an SSRF target)
  --no-writer-fence     do not fence writers: every cell takes writes and failback follows the health checks
                        (default: each zone the model fences is fenced as in AWS: SIMULATED ARC routing
                        controls, the promoter on the primary's health, failback as POST /control/zones/<zone>/failback)
  --verbose             show the cells' request logs and EMF metrics (default: warnings and errors only)
  --demo                boot, run the demo flow through the edge, print results, shut down; exit 0/1
  --help`;

const cliSchema = z.strictObject({
  topology: z.string().optional(),
  'base-port': z.coerce.number().optional(),
  'time-scale': z.coerce.number().optional(),
  'endpoints-file': z.string().min(1).optional(),
  'webhook-port': z.array(z.coerce.number()).default([]),
  demo: z.boolean().default(false),
  'no-writer-fence': z.boolean().default(false),
  verbose: z.boolean().default(false),
  help: z.boolean().default(false),
});

function parseCli(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      topology: { type: 'string' },
      'base-port': { type: 'string' },
      'time-scale': { type: 'string' },
      'endpoints-file': { type: 'string' },
      'webhook-port': { type: 'string', multiple: true },
      demo: { type: 'boolean' },
      'no-writer-fence': { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  const cli = cliSchema.parse(values);
  const options = localTopologyOptionsSchema.parse({
    ...(cli.topology ? { topologyFile: cli.topology } : {}),
    ...(cli['base-port'] !== undefined ? { basePort: cli['base-port'] } : {}),
    timeScale: cli['time-scale'] ?? (cli.demo ? 0.1 : 1),
    ...(cli['endpoints-file'] ? { endpointsFile: cli['endpoints-file'] } : {}),
    extraWebhookPorts: cli['webhook-port'],
    writerFence: !cli['no-writer-fence'],
  });
  return { cli, options };
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function summary(topology: LocalTopology): string {
  const state = topology.state();
  const rows = [
    ['zone', 'region', 'role', 'URL', 'health'],
    ...topology.endpoints.cells.map((cell) => {
      const s = state.cells.find((c) => c.zone === cell.zone && c.region === cell.region);
      return [cell.zone, cell.region, cell.role, cell.url, s?.healthy ? 'healthy' : 'UNHEALTHY'];
    }),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function readyReport(topology: LocalTopology): string {
  const { endpoints } = topology;
  const memory = topology.memory();
  const launchers = topologyMemory(launcherPids());
  const zones = Object.entries(endpoints.zones ?? {})
    .map(([zone, url]) => `${zone} ${url}`)
    .join(', ');
  const cdn = Object.entries(endpoints.cdn ?? {}).map(
    ([zone, { catalog, vendors }]) =>
      `catalog of ${zone} (SIMULATED CDNs)${' '.repeat(Math.max(1, 22 - zone.length))}${catalog} steered to ${Object.entries(
        vendors,
      )
        .map(([vendor, url]) => `${vendor} ${url}`)
        .join(', ')}`,
  );
  return [
    '',
    summary(topology),
    '',
    `edge (geolocation, header x-client-country: DE)  ${endpoints.edge}`,
    `zone endpoints (failover names)                   ${zones}`,
    ...cdn,
    `status page                                       ${endpoints.status}`,
    `control API                                       ${endpoints.control}`,
    `webhook sink                                      ${endpoints.webhookSink}`,
    `DynamoDB Local                                    ${endpoints.dynamodb}`,
    '',
    `ready in ${(topology.bootMs / 1000).toFixed(1)} s; resident memory ${formatMiB(memory.totalBytes)} (${memory.processes
      .map((p) => `pid ${p.pid}: ${p.rssBytes === null ? '?' : formatMiB(p.rssBytes)}`)
      .join(
        ', ',
      )})${launchers.processes.length > 0 ? `; with the launcher processes (npm/npx/tsx) ${formatMiB(memory.totalBytes + launchers.totalBytes)}` : ''}`,
  ].join('\n');
}

/** Option names of the programmatic API -> the CLI flag a user typed. */
const FLAG_OF: Record<string, string> = {
  topologyFile: 'topology',
  basePort: 'base-port',
  timeScale: 'time-scale',
  endpointsFile: 'endpoints-file',
  writerFence: 'no-writer-fence',
};

function explain(error: unknown): string {
  if (error instanceof z.ZodError) {
    const flag = (key: PropertyKey | undefined) => FLAG_OF[String(key)] ?? String(key ?? '');
    return `Invalid options: ${error.issues.map((i) => `--${flag(i.path[0])}: ${i.message}`).join('; ')}\n${USAGE}`;
  }
  if (error instanceof PortBusyError || error instanceof DynamoDbLocalError || error instanceof TopologyError)
    return error.message;
  return (error as Error).stack ?? String(error);
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(
      `${error instanceof z.ZodError ? explain(error) : `${(error as Error).message}\n${USAGE}`}\n`,
    );
    return 2;
  }
  if (parsed.cli.help) {
    log(USAGE);
    return 0;
  }

  // The cells log every request (health checks included) and emit EMF metrics to stdout through
  // Powertools; keep the console readable unless asked.
  if (!parsed.cli.verbose) {
    process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  }

  let topology: LocalTopology | undefined;
  let stopping: Promise<void> | undefined;
  const shutdown = (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    log(`\n${signal}: stopping everything…`);
    stopping = (topology?.stop() ?? Promise.resolve()).then(() => {
      log('stopped; nothing left listening');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // `npm run`/`npx` do not pass SIGTERM on to their child: when a launcher dies, stop too rather than
  // leave the topology (and its JVM) running unowned.
  const launchers = launcherPids();
  setInterval(() => {
    if (launchers.some((pid) => !isAlive(pid))) shutdown('launcher exited');
  }, 1000).unref();

  try {
    log('booting the local topology (SIMULATED infrastructure, production handler code)…');
    topology = await startLocalTopology(parsed.options, log);
  } catch (error) {
    process.stderr.write(`\nBoot failed: ${explain(error)}\n`);
    return 1;
  }
  log(readyReport(topology));

  if (!parsed.cli.demo) {
    log('\nPress Ctrl-C to stop.');
    return new Promise<number>(() => undefined);
  }

  log('');
  const { ok, results } = await runDemo({ topology, log });
  log(`\ndemo ${ok ? 'PASSED' : 'FAILED'}: ${results.filter((r) => r.ok).length}/${results.length} steps`);
  log(`resident memory after the demo: ${formatMiB(topology.memory().totalBytes)}`);
  await topology.stop();
  log('stopped; nothing left listening');
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${explain(error)}\n`);
    process.exit(1);
  },
);
