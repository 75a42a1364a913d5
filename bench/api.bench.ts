/**
 * API bench (issue 3): bundle size of the API handler, module init time
 * (median of fresh node processes), and requests/s with p50/p99 of
 * get-product and checkout on one local cell (the real app served by
 * @hono/node-server on loopback, DynamoDB Local), beside the raw DynamoDB
 * Local operations those requests perform, measured in the same run.
 *
 *   npx tsx bench/api.bench.ts                # 20 init runs, 400 get-product, 120 checkouts
 *   npx tsx bench/api.bench.ts --smoke        # small counts, for CI
 *   npx tsx bench/api.bench.ts --json         # machine-readable result on stdout
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import { buildSync } from 'esbuild';
import { demoProducts, seedDemoCatalog } from '../lambdas/adapters/catalog-seed';
import { LocalPaymentProvider } from '../lambdas/adapters/local-payment-provider';
import { createApp } from '../lambdas/api/app';
import { devVerifier, generateDevKeys, mintDevToken } from '../lambdas/api/auth/dev-auth';
import { noMetrics } from '../lambdas/api/http/metrics';
import { cellConfigSchema } from '../lambdas/core/cell-config';
import { freePort, localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { ensureTable } from '../local/tables';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'init-runs': { type: 'string' },
    reads: { type: 'string' },
    checkouts: { type: 'string' },
  },
});
const INIT_RUNS = Number(values['init-runs'] ?? (values.smoke ? 3 : 20));
const READS = Number(values.reads ?? (values.smoke ? 40 : 400));
const CHECKOUTS = Number(values.checkouts ?? (values.smoke ? 15 : 120));
const ROOT = resolve(__dirname, '..');
const OUT = resolve(ROOT, 'bench/results');
const log = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

// ---------------------------------------------------------------- bundle + init
function bundle(name: string, external: string[]): { file: string; bytes: number } {
  const file = resolve(OUT, name);
  buildSync({
    entryPoints: [resolve(ROOT, 'lambdas/api/lambda.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: file,
    external,
    logLevel: 'error',
  });
  return { file, bytes: statSync(file).size };
}

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

/**
 * Time to require (load + initialise) the bundle in a fresh node process:
 * wall-clock ms and CPU ms (user + system) of the require. CPU time is the
 * figure to trust on a shared, loaded machine; wall time is what a cold start feels.
 */
function initTimes(file: string, runs: number): { wall: number; cpu: number } {
  const probe = `const c=process.cpuUsage(),t=performance.now();require(${JSON.stringify(file)});const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([performance.now()-t,(u.user+u.system)/1000]))`;
  const samples = Array.from(
    { length: runs },
    () =>
      JSON.parse(
        execFileSync(process.execPath, ['-e', probe], {
          env: { ...process.env, ...CELL_ENV },
          cwd: ROOT,
        }).toString(),
      ) as [number, number],
  );
  return { wall: median(samples.map((s) => s[0])), cpu: median(samples.map((s) => s[1])) };
}

// ---------------------------------------------------------------- latency helpers
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
interface Stats {
  /** p50 of the time each request spent waiting on DynamoDB, and of the rest (the API's own share). */
  readonly dynamoP50?: number;
  readonly outsideDynamoP50?: number;
  readonly n: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}
/** Wall time spent inside DynamoDB calls of the benchmark's document client (requests run one at a time). */
const dynamoClock = { ms: 0 };

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  const busy = times.reduce((a, b) => a + b, 0);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    n: times.length,
    rps: Math.round((times.length / busy) * 1000),
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
  };
}

/**
 * Runs the variants interleaved, in a fresh shuffled order each round, so
 * machine noise (other processes, GC, DynamoDB Local's JIT) and position
 * effects hit them alike.
 */
async function measureInterleaved(
  n: number,
  variants: Record<string, (i: number) => Promise<void>>,
  setup?: (i: number) => Promise<void>,
): Promise<Record<string, Stats>> {
  const names = Object.keys(variants);
  const times: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  const dynamo: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let i = 0; i < n; i += 1) {
    await setup?.(i);
    const order = [...names].sort(() => random() - 0.5);
    for (const name of order) {
      dynamoClock.ms = 0;
      const t = performance.now();
      await variants[name]!(i);
      times[name]!.push(performance.now() - t);
      dynamo[name]!.push(dynamoClock.ms);
    }
  }
  const p50 = (xs: number[]) =>
    Math.round(
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      ) * 100,
    ) / 100;
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        ...stats(times[name]!),
        dynamoP50: p50(dynamo[name]!),
        outsideDynamoP50: p50(times[name]!.map((t, j) => t - dynamo[name]![j]!)),
      },
    ]),
  );
}

/**
 * BENCH ONLY, never in tests: a document client that answers from memory
 * instantly (reads from `items`, writes accepted and dropped), so the time a
 * request takes is the API's own work: routing, auth, validation, hashing,
 * serialisation. Keys: `${pk}|${sk}`.
 */
function instantDocumentClient(items: Map<string, Record<string, unknown>>): DynamoDBDocumentClient {
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const { name } = command.constructor;
    if (name === 'GetCommand') {
      const key = command.input.Key as { pk: string; sk: string };
      const item = items.get(`${key.pk}|${key.sk}`);
      return item ? { Item: structuredClone(item) } : {};
    }
    if (name === 'QueryCommand') return { Items: [] };
    return {};
  };
  return { send } as unknown as DynamoDBDocumentClient;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const deployed = bundle('api-handler.deployed.js', ['@aws-sdk/*']);
  const standalone = bundle('api-handler.standalone.js', []);
  log(`bundle (SDK external, as NodejsFunction deploys it): ${(deployed.bytes / 1024).toFixed(1)} KiB`);
  log(`bundle (self-contained):                            ${(standalone.bytes / 1024).toFixed(1)} KiB`);
  const initDeployed = initTimes(deployed.file, INIT_RUNS);
  const initStandalone = initTimes(standalone.file, INIT_RUNS);
  log(
    `module init, median of ${INIT_RUNS} fresh processes (wall / CPU): ${initDeployed.wall.toFixed(1)} / ${initDeployed.cpu.toFixed(1)} ms (SDK from node_modules), ${initStandalone.wall.toFixed(1)} / ${initStandalone.cpu.toFixed(1)} ms (self-contained); budget 150 ms`,
  );

  // ------------------------------------------------------------ one local cell
  const ddb = process.env.DYNAMODB_ENDPOINT ? undefined : await startDynamoDbLocal();
  const endpoint = process.env.DYNAMODB_ENDPOINT ?? ddb!.endpoint;
  const client = localDynamoClient(endpoint, 'us-east-1');
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  documentClient.middlewareStack.add(
    (next) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        dynamoClock.ms += performance.now() - started;
      }
    },
    { step: 'initialize', name: 'benchDynamoClock' },
  );
  const tableName = `bench-${Date.now()}-commerce`;
  await ensureTable(client, tableName);
  await seedDemoCatalog({ documentClient, tableName }, demoProducts(1_000_000));
  const keys = await generateDevKeys();
  const app = createApp({
    config: cellConfigSchema.parse({ ...CELL_ENV, TABLE_NAME: tableName }),
    documentClient,
    logger: new Logger({ logLevel: 'SILENT' }),
    metrics: noMetrics,
    authVerifier: devVerifier(keys),
    paymentProvider: new LocalPaymentProvider(),
  });
  const port = await freePort();
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  const token = await mintDevToken(keys, { subject: 'bench-customer', ttlSeconds: 3600 });
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  // node:http with keep-alive, like the SDK's own handler: the client's cost should not count as the API's.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    new Promise<{ status: number; text: string }>((done, fail) => {
      const req = request(`${base}${path}`, { method, agent, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', fail);
      req.end(body);
    });
  const post = async (path: string, key: string, body: unknown) => {
    const { status, text } = await send(
      'POST',
      path,
      { ...auth, 'idempotency-key': key },
      JSON.stringify(body),
    );
    if (status >= 300) throw new Error(`${path}: ${status} ${text}`);
    return JSON.parse(text) as { id: string };
  };

  try {
    // The API's own work per request, with DynamoDB answering instantly from memory.
    const memory = new Map<string, Record<string, unknown>>();
    const [product] = demoProducts(1_000_000);
    memory.set('PRODUCT#sku-0001|PRODUCT', {
      pk: 'PRODUCT#sku-0001',
      sk: 'PRODUCT',
      entity: 'product',
      ...product,
    });
    const memoryCart = {
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
    };
    memory.set('CART#mem-cart|CART', memoryCart);
    const memoryApp = createApp({
      config: cellConfigSchema.parse({ ...CELL_ENV, TABLE_NAME: 'memory' }),
      documentClient: instantDocumentClient(memory),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: noMetrics,
      authVerifier: devVerifier(keys),
      paymentProvider: new LocalPaymentProvider(),
    });
    const own = await measureInterleaved(READS, {
      getProduct: async () => {
        const response = await memoryApp.request('/v1/products/sku-0001');
        if (response.status !== 200) throw new Error(`memory get-product ${response.status}`);
      },
      checkout: async (i) => {
        const response = await memoryApp.request('/v1/checkout', {
          method: 'POST',
          headers: { ...auth, 'idempotency-key': `mem-${i}` },
          body: JSON.stringify({ cartId: 'mem-cart' }),
        });
        if (response.status !== 201)
          throw new Error(`memory checkout ${response.status} ${await response.text()}`);
      },
    });

    // Warm-up: JIT, connection pools, DynamoDB Local's first queries.
    for (let i = 0; i < 30; i += 1) await send('GET', '/v1/products/sku-0001');
    for (let i = 0; i < 30; i += 1)
      await documentClient.send(
        new GetCommand({ TableName: tableName, Key: { pk: 'PRODUCT#sku-0001', sk: 'PRODUCT' } }),
      );

    const reads = await measureInterleaved(READS, {
      http: async () => {
        const { status } = await send('GET', '/v1/products/sku-0002');
        if (status !== 200) throw new Error(`get-product ${status}`);
      },
      inProcess: async () => {
        await (await app.request('/v1/products/sku-0002')).text();
      },
      raw: async () => {
        await documentClient.send(
          new GetCommand({ TableName: tableName, Key: { pk: 'PRODUCT#sku-0002', sk: 'PRODUCT' } }),
        );
      },
    });

    const carts: { http: string; inProcess: string }[] = [];
    const cartFor = async (key: string) => {
      const cart = await post('/v1/carts', `bench-cart-${key}`, {});
      await post(`/v1/carts/${cart.id}/items`, `bench-add-${key}`, { productId: 'sku-0003', quantity: 1 });
      return cart.id;
    };
    // The DynamoDB operations one checkout performs, in order, issued directly.
    const T = tableName;
    const line = { productId: 'sku-0004', name: 'x', quantity: 1, unitPriceMinor: 100 };
    const rawCheckoutOnce = async (i: number) => {
      const now = Date.now();
      await documentClient.send(
        new PutCommand({
          TableName: T,
          Item: {
            pk: `IDEMPOTENCY#raw#${i}`,
            sk: 'RECORD',
            state: 'in_progress',
            lockToken: 't',
            lockedUntil: now + 30000,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      await documentClient.send(
        new GetCommand({ TableName: T, Key: { pk: `CHECKOUT#raw-${i}`, sk: 'SAGA' }, ConsistentRead: true }),
      );
      await documentClient.send(
        new GetCommand({ TableName: T, Key: { pk: `CART#raw-${i}`, sk: 'CART' }, ConsistentRead: true }),
      );
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: T,
                Item: { pk: `CHECKOUT#raw-${i}`, sk: 'SAGA', state: 'reserved', lines: [line] },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: T,
                Key: { pk: 'PRODUCT#sku-0004', sk: 'PRODUCT' },
                UpdateExpression: 'SET stock = stock - :q',
                ConditionExpression: 'stock >= :q',
                ExpressionAttributeValues: { ':q': 1 },
              },
            },
          ],
        }),
      );
      await documentClient.send(
        new UpdateCommand({
          TableName: T,
          Key: { pk: `CHECKOUT#raw-${i}`, sk: 'SAGA' },
          UpdateExpression: 'SET #s = :a, authorizationId = :id',
          ConditionExpression: '#s = :r',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':a': 'authorized', ':r': 'reserved', ':id': 'auth' },
        }),
      );
      await documentClient.send(
        new GetCommand({ TableName: T, Key: { pk: 'AUDIT#raw', sk: 'HEAD' }, ConsistentRead: true }),
      );
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: T,
                Item: {
                  pk: `ORDER#raw-${i}`,
                  sk: 'ORDER',
                  gsi1pk: 'CUSTOMER#raw#ORDERS',
                  gsi1sk: `${now}#${i}`,
                  lines: [line],
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Update: {
                TableName: T,
                Key: { pk: `CHECKOUT#raw-${i}`, sk: 'SAGA' },
                UpdateExpression: 'SET #s = :c',
                ConditionExpression: '#s = :a',
                ExpressionAttributeNames: { '#s': 'state' },
                ExpressionAttributeValues: { ':c': 'completed', ':a': 'authorized' },
              },
            },
            { Put: { TableName: T, Item: { pk: `CART#raw-${i}`, sk: 'CART', status: 'checked_out' } } },
            {
              Put: {
                TableName: T,
                Item: {
                  pk: `OUTBOX#raw-${i}`,
                  sk: 'EVENT',
                  gsi1pk: 'EVENTS#raw',
                  gsi1sk: `${i}`,
                  envelope: { line },
                },
              },
            },
            {
              Put: {
                TableName: T,
                Item: {
                  pk: 'AUDIT#raw',
                  sk: `ENTRY#${String(i).padStart(12, '0')}`,
                  gsi1pk: `AUDITRES#order#${i}`,
                  gsi1sk: `${i}`,
                  recordJson: JSON.stringify(line),
                  hash: 'h',
                },
              },
            },
            {
              Put: {
                TableName: T,
                Item: { pk: `AUDITCORR#raw-${i}`, sk: 'x', entryKey: { pk: 'AUDIT#raw' } },
              },
            },
            { Put: { TableName: T, Item: { pk: 'AUDIT#raw', sk: 'HEAD', seq: i, hash: 'h' } } },
            {
              Put: {
                TableName: T,
                Item: {
                  pk: `IDEMPOTENCY#raw#${i}`,
                  sk: 'RECORD',
                  state: 'completed',
                  response: { status: 201, body: JSON.stringify(line) },
                },
                ConditionExpression: 'lockToken = :t',
                ExpressionAttributeValues: { ':t': 't' },
              },
            },
          ],
        }),
      );
    };

    const checkouts = await measureInterleaved(
      CHECKOUTS,
      {
        http: async (i) => {
          await post('/v1/checkout', `bench-checkout-${i}`, { cartId: carts[i]!.http });
        },
        inProcess: async (i) => {
          const response = await app.request('/v1/checkout', {
            method: 'POST',
            headers: { ...auth, 'idempotency-key': `bench-checkout-ip-${i}` },
            body: JSON.stringify({ cartId: carts[i]!.inProcess }),
          });
          if (response.status !== 201)
            throw new Error(`checkout ${response.status} ${await response.text()}`);
        },
        raw: rawCheckoutOnce,
      },
      async (i) => {
        carts[i] = { http: await cartFor(`h${i}`), inProcess: await cartFor(`p${i}`) };
      },
    );

    const overhead = (api: Stats, raw: Stats) => `${Math.round(((api.p50 - raw.p50) / raw.p50) * 100)}%`;
    const row = (name: string, s: Stats) =>
      `${name.padEnd(34)} ${String(s.rps).padStart(6)} req/s   p50 ${s.p50.toFixed(2).padStart(7)} ms   p99 ${s.p99.toFixed(2).padStart(7)} ms   (n=${s.n})`;
    log('\nsequential, one client, same run (times per request):');
    log(row('get-product via API over HTTP', reads.http!));
    log(row('get-product via API in-process', reads.inProcess!));
    log(row('  raw: GetItem', reads.raw!));
    log(
      `  API adds to p50: ${overhead(reads.http!, reads.raw!)} over HTTP, ${overhead(reads.inProcess!, reads.raw!)} in-process (budget 25%)`,
    );
    log(row('checkout via API over HTTP', checkouts.http!));
    log(row('checkout via API in-process', checkouts.inProcess!));
    log(row('  raw: its 7 DynamoDB operations', checkouts.raw!));
    log(
      `  API adds to p50: ${overhead(checkouts.http!, checkouts.raw!)} over HTTP, ${overhead(checkouts.inProcess!, checkouts.raw!)} in-process (budget 25%)`,
    );
    const split = (name: string, x: Stats) =>
      `  ${name}: per request p50 ${x.dynamoP50!.toFixed(2)} ms in DynamoDB, ${x.outsideDynamoP50!.toFixed(2)} ms outside it (+${Math.round((x.outsideDynamoP50! / x.dynamoP50!) * 100)}% over its own DynamoDB operations)`;
    log('same requests, time split by a middleware on the document client:');
    log(split('get-product in-process', reads.inProcess!));
    log(split('get-product over HTTP ', reads.http!));
    log(split('checkout in-process   ', checkouts.inProcess!));
    log(split('checkout over HTTP    ', checkouts.http!));
    log(row('API own work: get-product (DB instant)', own.getProduct!));
    log(row('API own work: checkout (DB instant)', own.checkout!));
    log(
      `load average during the run: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')} on ${cpus().length} cores`,
    );
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify(
          {
            bundleBytes: { deployed: deployed.bytes, standalone: standalone.bytes },
            initMs: { deployed: initDeployed, standalone: initStandalone, runs: INIT_RUNS },
            getProduct: reads,
            checkout: checkouts,
            apiOwnWork: own,
            loadAverage: loadavg(),
          },
          null,
          2,
        )}\n`,
      );
    }
  } finally {
    agent.destroy();
    server.close();
    client.destroy();
    await ddb?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
