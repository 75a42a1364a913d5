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
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { demoProducts, seedDemoCatalog } from '../lambdas/adapters/catalog-seed';
import { LocalPaymentProvider } from '../local/payment-provider';
import { createApp } from '../lambdas/api/app';
import { devVerifier, generateDevKeys, mintDevToken } from '../local/dev-auth';
import { defaultLogger } from '../lambdas/api/dependencies';
import { defaultMetrics, powertoolsApiMetrics } from '../lambdas/api/http/metrics';
import { type CellConfig, cellConfigSchema } from '../lambdas/core/cell-config';
import { freePort, localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { ensureTable } from '../local/tables';
import { CommandRecorder, compareTwins, TwinReplayer } from './support/command-replay';
import { bundleApiHandler, initTimes } from './support/handler-bundle';
import { KeepAliveClient } from './support/http-client';
import { instantDocumentClient } from './support/instant-document-client';
import {
  addedPercentOverRuns,
  DynamoClock,
  measureInterleaved,
  measureRuns,
  type RunsStats,
  type Stats,
  type Variant,
} from './support/interleave';
import { restApiEvent } from './support/rest-api-event';
import { TelemetrySink } from './support/telemetry-sink';
import { type ThroughputRuns, throughputRuns } from './support/throughput';

const USAGE = `usage: npx tsx bench/api.bench.ts [--smoke] [--json] [--init-runs N] [--runs N] [--reads N]
  [--checkouts N] [--concurrency N]`;
const { values } = (() => {
  try {
    return parseArgs({
      options: {
        smoke: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
        'init-runs': { type: 'string' },
        reads: { type: 'string' },
        checkouts: { type: 'string' },
        runs: { type: 'string' },
        concurrency: { type: 'string' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
/** A count option: a positive integer, or the default; anything else stops the bench with exit code 2. */
function count(name: keyof typeof values, fallback: number): number {
  const given = values[name];
  if (given === undefined) return fallback;
  const parsed = Number(given);
  if (!Number.isInteger(parsed) || parsed < 1) {
    console.error(`--${name}: must be a positive integer, got "${given}"\n${USAGE}`);
    process.exit(2);
  }
  return parsed;
}
const INIT_RUNS = count('init-runs', values.smoke ? 3 : 20);
const READS = count('reads', values.smoke ? 40 : 400);
const CHECKOUTS = count('checkouts', values.smoke ? 15 : 120);
const RUNS = count('runs', values.smoke ? 2 : 3);
/** Clients of the get-product throughput runs, and requests per variant per run. */
const CONCURRENCY = count('concurrency', 8);
const THROUGHPUT_REQUESTS = values.smoke ? 200 : 2000;
/** Requests per path before measuring: a warm Lambda serves many; cold starts are the init figure's business. */
const WARM_UP = values.smoke ? 30 : 300;
/** The issue's budget: the API adds at most this much to p50 over the raw operations. */
const BUDGET_PERCENT = 25;
const OUT = resolve(__dirname, 'results');
const log = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

const CELL_ENV = {
  APP_NAME: 'commerce',
  CELL_ZONE: 'global',
  CELL_REGION: 'us-east-1',
  CELL_ROLE: 'primary',
  TABLE_NAME: 'bench',
  // Module init only: the handler builds its SQS client at load time but never sends here.
  WEBHOOK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111111111111/commerce-global-webhooks',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

type ApiPath = 'lambda' | 'inProcess' | 'http';

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const deployed = bundleApiHandler(resolve(OUT, 'api-handler.deployed.js'), ['@aws-sdk/*']);
  const standalone = bundleApiHandler(resolve(OUT, 'api-handler.standalone.js'), []);
  log(`bundle (SDK external, as NodejsFunction deploys it): ${(deployed.bytes / 1024).toFixed(1)} KiB`);
  log(`bundle (self-contained):                            ${(standalone.bytes / 1024).toFixed(1)} KiB`);
  const initDeployed = initTimes(deployed.file, INIT_RUNS, CELL_ENV);
  const initStandalone = initTimes(standalone.file, INIT_RUNS, CELL_ENV);
  log(
    `module init, median of ${INIT_RUNS} fresh processes (wall / CPU): ${initDeployed.wall.toFixed(1)} / ${initDeployed.cpu.toFixed(1)} ms (SDK from node_modules), ${initStandalone.wall.toFixed(1)} / ${initStandalone.cpu.toFixed(1)} ms (self-contained); budget 150 ms`,
  );

  // ------------------------------------------------------------ one local cell, and its twin table
  const ddb = process.env.DYNAMODB_ENDPOINT ? undefined : await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? ddb!.endpoint;
  const client = localDynamoClient(endpoint, 'us-east-1');
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const clock = new DynamoClock();
  const timed = clock.wrap(documentClient);
  const runId = Date.now();
  const tableName = `bench-${runId}-commerce`;
  const twinName = `bench-${runId}-twin`;
  for (const table of [tableName, twinName]) {
    await ensureTable(client, table);
    await seedDemoCatalog({ documentClient, tableName: table }, demoProducts(1_000_000));
  }
  const recorder = new CommandRecorder();
  const twin = new TwinReplayer(recorder, timed, tableName, twinName);
  const keys = await generateDevKeys();
  const config = cellConfigSchema.parse({ ...CELL_ENV, TABLE_NAME: tableName });
  const telemetry = new TelemetrySink();
  const app = createApp({
    config,
    documentClient: recorder.wrap(timed),
    ...productionTelemetry(config, telemetry),
    authVerifier: devVerifier(keys),
    paymentProvider: new LocalPaymentProvider(),
  });
  const lambdaHandler = handle(app) as (
    event: APIGatewayProxyEvent,
    context: LambdaContext,
  ) => Promise<APIGatewayProxyResult>;
  const lambdaContext = {} as LambdaContext;
  // overrideGlobalObjects: false keeps the platform's Request and Response for every path: by default
  // @hono/node-server swaps in lighter globals, which a Lambda function never has.
  const apiPort = await freePort();
  const apiServer = serve({
    fetch: app.fetch,
    port: apiPort,
    hostname: '127.0.0.1',
    overrideGlobalObjects: false,
  });
  const emptyPort = await freePort();
  const emptyServer = serve({
    fetch: () => new Response('{}', { headers: { 'content-type': 'application/json' } }),
    port: emptyPort,
    hostname: '127.0.0.1',
    overrideGlobalObjects: false,
  });
  const api = new KeepAliveClient(`http://127.0.0.1:${apiPort}`);
  const empty = new KeepAliveClient(`http://127.0.0.1:${emptyPort}`);
  const token = await mintDevToken(keys, {
    subject: 'bench-customer',
    homeZone: config.CELL_ZONE,
    ttlSeconds: 3600,
  });
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  /** One request through one of the three paths; throws unless it answered `expected`. */
  const call = async (
    path: ApiPath,
    request: {
      method: string;
      path: string;
      headers?: Record<string, string>;
      body?: string;
      /** The REST proxy event for this request, built ahead so the Lambda path times only the handler. */
      event?: APIGatewayProxyEvent;
    },
    expected: number,
  ): Promise<string> => {
    let status: number;
    let text: string;
    if (path === 'lambda') {
      // API Gateway builds the event; the function's work starts at the handler.
      const result = await lambdaHandler(request.event ?? restApiEvent(request), lambdaContext);
      [status, text] = [result.statusCode, result.body];
    } else if (path === 'inProcess') {
      const response = await app.request(request.path, {
        method: request.method,
        headers: request.headers ?? {},
        ...(request.body ? { body: request.body } : {}),
      });
      [status, text] = [response.status, await response.text()];
    } else {
      ({ status, text } = await api.send(request.method, request.path, request.headers, request.body));
    }
    if (status !== expected)
      throw new Error(`${request.method} ${request.path} via ${path}: ${status} ${text}`);
    return text;
  };
  const post = async (path: ApiPath, url: string, key: string, body: unknown, expected = 201) =>
    JSON.parse(
      await call(
        path,
        {
          method: 'POST',
          path: url,
          headers: { ...auth, 'idempotency-key': key },
          body: JSON.stringify(body),
        },
        expected,
      ),
    ) as { id: string };
  const productRequest = { method: 'GET', path: '/v1/products/sku-0002' };
  const productEvent = restApiEvent(productRequest);
  const getProduct = (path: ApiPath) => async () => {
    recorder.nextRequest('get-product');
    await call(path, { ...productRequest, event: productEvent }, 200);
  };
  /** The raw baseline: the commands of the next recorded request labelled `label`, replayed on the twin. */
  const replayOf = (label: string): Variant => {
    let replay: () => Promise<void> = async () => undefined;
    return {
      prepare: async () => {
        replay = await twin.prepare(label);
      },
      run: () => replay(),
    };
  };

  try {
    // The API's own work per request, with DynamoDB answering at once from memory.
    const own = await measureOwnWork(keys, auth);

    // Warm-up (JIT, connection pools, DynamoDB Local's first queries): reads and checkouts on every
    // path. The raw baseline replays the recorded requests in order, so it warms up on these too.
    for (let i = 0; i < WARM_UP; i += 1) {
      for (const path of ['lambda', 'inProcess', 'http'] as const) await getProduct(path)();
      await documentClient.send(
        new GetCommand({ TableName: twinName, Key: { pk: 'PRODUCT#sku-0001', sk: 'PRODUCT' } }),
      );
    }
    const cartFor = async (path: ApiPath, key: string) => {
      recorder.nextRequest('setup');
      const cart = await post(path, '/v1/carts', `bench-cart-${key}`, {});
      recorder.nextRequest('setup');
      await post(
        path,
        `/v1/carts/${cart.id}/items`,
        `bench-add-${key}`,
        {
          productId: 'sku-0003',
          quantity: 1,
        },
        200,
      );
      return cart.id;
    };
    const checkout = (path: ApiPath, key: string, cartId: string) => async () => {
      recorder.nextRequest('checkout');
      await post(path, '/v1/checkout', `bench-checkout-${key}`, { cartId });
    };
    for (let i = 0; i < WARM_UP / 10; i += 1) {
      for (const path of ['lambda', 'inProcess', 'http'] as const)
        await checkout(path, `warm-${path}-${i}`, await cartFor(path, `warm-${path}-${i}`))();
    }

    const reads = await measureRuns(
      RUNS,
      READS,
      {
        lambda: { run: getProduct('lambda') },
        inProcess: { run: getProduct('inProcess') },
        http: { run: getProduct('http') },
        raw: replayOf('get-product'),
        emptyHttp: {
          run: async () => {
            await empty.send('GET', '/');
          },
        },
      },
      { clock },
    );

    // Throughput of one local cell: concurrent clients over HTTP, beside the same GetItem sent as concurrently.
    const concurrentApi = new KeepAliveClient(`http://127.0.0.1:${apiPort}`, CONCURRENCY);
    const repeatGetProduct = twin.repeatReads('get-product');
    const throughput = await throughputRuns(RUNS, CONCURRENCY, THROUGHPUT_REQUESTS, {
      http: async () => {
        recorder.nextRequest('throughput');
        const { status } = await concurrentApi.send('GET', productRequest.path);
        if (status !== 200) throw new Error(`get-product under load: ${status}`);
      },
      raw: repeatGetProduct,
    }).finally(() => concurrentApi.close());

    const carts: Record<ApiPath, string>[] = [];
    const checkouts = await measureRuns(
      RUNS,
      CHECKOUTS,
      {
        lambda: { run: (i) => checkout('lambda', `l${i}`, carts[i]!.lambda)() },
        inProcess: { run: (i) => checkout('inProcess', `p${i}`, carts[i]!.inProcess)() },
        http: { run: (i) => checkout('http', `h${i}`, carts[i]!.http)() },
        raw: replayOf('checkout'),
      },
      {
        clock,
        setup: async (i) => {
          carts[i] = {
            lambda: await cartFor('lambda', `l${i}`),
            inProcess: await cartFor('inProcess', `p${i}`),
            http: await cartFor('http', `h${i}`),
          };
        },
      },
    );

    await twin.finish();
    const fidelity = twin.fidelity();
    const tables = await compareTwins(documentClient, tableName, twinName);
    if (fidelity.mismatches.length > 0 || !tables.identical) {
      throw new Error(
        `the raw baseline diverged from the API's operations: ${[...fidelity.mismatches, tables.firstDifference ?? ''].join('; ')}`,
      );
    }

    report({ reads, checkouts, throughput, own, recorder, fidelity, items: tables.items, telemetry });
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify(
          {
            bundleBytes: { deployed: deployed.bytes, standalone: standalone.bytes },
            initMs: { deployed: initDeployed, standalone: initStandalone, runs: INIT_RUNS },
            getProduct: reads,
            getProductThroughput: { concurrency: CONCURRENCY, ...throughput },
            checkout: checkouts,
            operations: {
              getProduct: recorder.operationsOf('get-product'),
              checkout: recorder.operationsOf('checkout'),
            },
            baselineFidelity: { replayedCommands: fidelity.replayed, identicalItems: tables.items },
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
    api.close();
    empty.close();
    apiServer.close();
    emptyServer.close();
    client.destroy();
    await ddb?.stop();
  }
}

/**
 * The production logger (INFO) and EMF metrics, as a deployed cell has them,
 * writing into `sink` instead of this terminal.
 */
function productionTelemetry(config: CellConfig, sink: TelemetrySink) {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  return {
    logger: sink.capture(defaultLogger(config)),
    metrics: powertoolsApiMetrics(sink.capture(defaultMetrics(config.CELL_ZONE, config.CELL_REGION))),
  };
}

/** get-product and checkout against an app whose DynamoDB answers at once: the API's own CPU work. */
async function measureOwnWork(
  keys: Awaited<ReturnType<typeof generateDevKeys>>,
  auth: Record<string, string>,
): Promise<Record<'getProduct' | 'checkout', Stats>> {
  const memory = new Map<string, Record<string, unknown>>();
  const [product] = demoProducts(1_000_000);
  memory.set('PRODUCT#sku-0001|PRODUCT', {
    pk: 'PRODUCT#sku-0001',
    sk: 'PRODUCT',
    entity: 'product',
    ...product,
  });
  memory.set('CART#mem-cart|CART', {
    pk: 'CART#mem-cart',
    sk: 'CART',
    entity: 'cart',
    id: 'mem-cart',
    customerId: 'bench-customer',
    currency: 'EUR',
    status: 'open',
    lines: [{ productId: 'sku-0001', name: 'x', quantity: 1, unitPriceMinor: 100 }],
    totalMinor: 100,
    version: 2,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  });
  const config = cellConfigSchema.parse({ ...CELL_ENV, TABLE_NAME: 'memory' });
  const memoryApp = createApp({
    config,
    documentClient: instantDocumentClient(memory),
    ...productionTelemetry(config, new TelemetrySink()),
    authVerifier: devVerifier(keys),
    paymentProvider: new LocalPaymentProvider(),
  });
  return measureInterleaved(
    READS,
    {
      getProduct: {
        run: async () => {
          const response = await memoryApp.request('/v1/products/sku-0001');
          if (response.status !== 200) throw new Error(`memory get-product ${response.status}`);
        },
      },
      checkout: {
        run: async (i) => {
          const response = await memoryApp.request('/v1/checkout', {
            method: 'POST',
            headers: { ...auth, 'idempotency-key': `mem-${i}` },
            body: JSON.stringify({ cartId: 'mem-cart' }),
          });
          if (response.status !== 201)
            throw new Error(`memory checkout ${response.status} ${await response.text()}`);
        },
      },
    },
    { clock: new DynamoClock() },
  );
}

function report(run: {
  reads: Record<ApiPath | 'raw' | 'emptyHttp', RunsStats>;
  checkouts: Record<ApiPath | 'raw', RunsStats>;
  throughput: Record<'http' | 'raw', ThroughputRuns>;
  own: Record<'getProduct' | 'checkout', Stats>;
  recorder: CommandRecorder;
  fidelity: { replayed: number };
  items: number;
  telemetry: TelemetrySink;
}): void {
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x}%`;
  const row = (name: string, s: Stats, raw?: RunsStats) => {
    const added = raw && 'runs' in s ? addedPercentOverRuns(s as RunsStats, raw) : undefined;
    return `  ${name.padEnd(44)} ${String(s.rps).padStart(6)} req/s  p50 ${s.p50.toFixed(2).padStart(6)} ms  p99 ${s.p99.toFixed(2).padStart(6)} ms${added ? `  ${signed(added.median)} over raw (runs ${added.runs.map(signed).join(', ')})` : ''}`;
  };
  const split = (s: Stats) =>
    `in DynamoDB ${s.dynamoP50.toFixed(2)} ms, outside ${s.outsideDynamoP50.toFixed(2)} ms`;
  const verdict = (s: RunsStats, raw: RunsStats) =>
    addedPercentOverRuns(s, raw).median <= BUDGET_PERCENT ? 'within budget' : 'OVER BUDGET';
  const section = (
    title: string,
    operations: string[],
    stats: Record<ApiPath | 'raw', RunsStats>,
    extra: string[] = [],
  ) => {
    const plural = operations.length === 1 ? '' : 's';
    const legend = operations.some((o) => o.startsWith('||')) ? '; || runs alongside the one before' : '';
    log(`\n${title}: ${operations.length} DynamoDB operation${plural} (${operations.join(', ')}${legend})`);
    log(row('API, Lambda handler with a REST proxy event', stats.lambda, stats.raw));
    log(row('API, in-process (app.request)', stats.inProcess, stats.raw));
    log(row('API, over HTTP on the local cell', stats.http, stats.raw));
    log(row('raw: the same operations, replayed', stats.raw));
    for (const line of extra) log(line);
    log(
      `  budget +${BUDGET_PERCENT}% over raw p50 (median of runs): Lambda handler ${verdict(stats.lambda, stats.raw)}, in-process ${verdict(stats.inProcess, stats.raw)}, over HTTP ${verdict(stats.http, stats.raw)}`,
    );
    log(`  p50 split, Lambda handler: ${split(stats.lambda)}; over HTTP: ${split(stats.http)}`);
  };
  log(
    `\nsequential, one client; ${RUNS} runs, variants interleaved within each; figures are medians over the runs:`,
  );
  if (values.smoke)
    log(
      '(smoke run: too few requests and too short a warm-up for the budget verdict; use npm run bench:api)',
    );
  section('get-product', run.recorder.operationsOf('get-product'), run.reads, [
    row('empty HTTP round trip on the same server kind', run.reads.emptyHttp),
  ]);
  const load = (name: string, t: ThroughputRuns) =>
    `  ${name.padEnd(44)} ${String(t.rps).padStart(6)} req/s  p50 ${t.p50.toFixed(2).padStart(6)} ms  p99 ${t.p99.toFixed(2).padStart(6)} ms  (runs ${t.runs.map((r) => r.rps).join(', ')} req/s)`;
  log(
    `\nget-product throughput, ${CONCURRENCY} concurrent clients, ${THROUGHPUT_REQUESTS} requests per run:`,
  );
  log(load('API over HTTP on the local cell', run.throughput.http));
  log(load('raw: the same GetItem, as concurrently', run.throughput.raw));
  log(
    `  the cell serves ${Math.round((run.throughput.http.rps / run.throughput.raw.rps) * 100)}% of the raw GetItem rate (one node process for the API and its SDK client, DynamoDB Local on the same 2 cores)`,
  );
  section('checkout', run.recorder.operationsOf('checkout'), run.checkouts);
  log(
    `\nraw baseline: ${run.fidelity.replayed} recorded commands replayed on a twin table, every outcome as the API's; both tables end identical (${run.items} items)`,
  );
  log(
    `telemetry as deployed: ${run.telemetry.lines} log and EMF lines (${Math.round(run.telemetry.bytes / 1024)} KiB) written by the cell's Powertools logger and metrics`,
  );
  log('API own work, DynamoDB answering at once from memory (telemetry as deployed), one run:');
  log(row('get-product', run.own.getProduct));
  log(row('checkout', run.own.checkout));
  log(
    `load average during the run: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
