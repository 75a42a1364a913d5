/**
 * API bench (issue 3): bundle size of the API handler, module init time
 * (median of fresh node processes), and requests/s with p50/p99 of
 * get-product and checkout on one local cell, beside the raw DynamoDB Local
 * operations those requests perform, measured in the same run.
 *
 * Each request is timed three ways (all the same app and DynamoDB Local):
 *  - Lambda handler: the deployed entry's `handle(app)` given an API Gateway
 *    REST proxy event, the code path a deployed cell runs;
 *  - in-process: `app.request`, no transport at all;
 *  - over HTTP: the local cell's server (@hono/node-server) on loopback, with
 *    an empty HTTP round trip on the same kind of server measured beside it.
 * The raw baseline replays the very commands each request sent (recorded on
 * the API's client) onto a twin table kept in the same state, and checks
 * that every replayed command got the same outcome and that both tables end
 * identical (bench/support/command-replay.ts).
 *
 *   npx tsx bench/api.bench.ts                # 20 init runs; 3 runs of 400 get-product and 120 checkouts
 *   npx tsx bench/api.bench.ts --smoke        # small counts, 2 runs, for CI
 *   npx tsx bench/api.bench.ts --runs 5 --reads 600 --checkouts 200 --concurrency 16
 *   npx tsx bench/api.bench.ts --json         # machine-readable result on stdout
 *
 * The pieces: bench/api/options.ts (arguments), bench-cell.ts (the cell and
 * its twin), requests.ts, measure.ts, own-work.ts, report.ts.
 */
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { startBenchCell, CELL_ENV } from './api/bench-cell';
import { measureApi } from './api/measure';
import { API_BENCH_USAGE, ApiBenchArgsError, type ApiBenchOptions, parseApiBenchArgs } from './api/options';
import { measureOwnWork } from './api/own-work';
import { BUDGET_PERCENT, printApiReport } from './api/report';
import { benchRequests } from './api/requests';
import { bundleApiHandler, initTimes } from './support/handler-bundle';

const OUT = resolve(__dirname, 'results');

export async function runApiBench(options: ApiBenchOptions): Promise<void> {
  const log = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  mkdirSync(OUT, { recursive: true });
  const deployed = bundleApiHandler(resolve(OUT, 'api-handler.deployed.js'), ['@aws-sdk/*']);
  const standalone = bundleApiHandler(resolve(OUT, 'api-handler.standalone.js'), []);
  log(`bundle (SDK external, as NodejsFunction deploys it): ${(deployed.bytes / 1024).toFixed(1)} KiB`);
  log(`bundle (self-contained):                            ${(standalone.bytes / 1024).toFixed(1)} KiB`);
  const initDeployed = initTimes(deployed.file, options.initRuns, CELL_ENV);
  const initStandalone = initTimes(standalone.file, options.initRuns, CELL_ENV);
  log(
    `module init, median of ${options.initRuns} fresh processes (wall / CPU): ${initDeployed.wall.toFixed(1)} / ${initDeployed.cpu.toFixed(1)} ms (SDK from node_modules), ${initStandalone.wall.toFixed(1)} / ${initStandalone.cpu.toFixed(1)} ms (self-contained); budget 150 ms`,
  );

  const cell = await startBenchCell();
  try {
    const requests = benchRequests(cell);
    // The API's own work per request, with DynamoDB answering at once from memory.
    const own = await measureOwnWork(cell.keys, cell.auth, options.reads);
    const measured = await measureApi(cell, requests, options);
    printApiReport({ ...measured, own, recorder: cell.recorder, telemetry: cell.telemetry }, options, log);
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify(
          {
            bundleBytes: { deployed: deployed.bytes, standalone: standalone.bytes },
            initMs: { deployed: initDeployed, standalone: initStandalone, runs: options.initRuns },
            getProduct: measured.reads,
            getProductThroughput: { concurrency: options.concurrency, ...measured.throughput },
            checkout: measured.checkouts,
            operations: {
              getProduct: cell.recorder.operationsOf('get-product'),
              checkout: cell.recorder.operationsOf('checkout'),
            },
            baselineFidelity: { replayedCommands: measured.replayedCommands, identicalItems: measured.items },
            apiOwnWork: own,
            budgetPercent: BUDGET_PERCENT,
            loadAverage: loadavg(),
          },
          null,
          2,
        )}\n`,
      );
    }
  } finally {
    await cell.close();
  }
}

/** Exit code: 0 done, 1 the bench failed, 2 bad arguments. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: ApiBenchOptions;
  try {
    options = parseApiBenchArgs(argv);
  } catch (error) {
    if (error instanceof ApiBenchArgsError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    console.log(API_BENCH_USAGE);
    return 0;
  }
  try {
    await runApiBench(options);
    return 0;
  } catch (error) {
    console.error(error);
    return 1;
  }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
