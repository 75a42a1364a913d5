import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { compareTwins } from '../support/command-replay';
import { KeepAliveClient } from '../support/http-client';
import { measureRuns, type RunsStats } from '../support/interleave';
import { type ThroughputRuns, throughputRuns } from '../support/throughput';
import { API_PATHS, type ApiPath, type BenchCell } from './bench-cell';
import type { ApiBenchOptions } from './options';
import type { BenchRequests } from './requests';

/** What the API bench measured on its cell, each beside its raw baseline. */
export interface ApiMeasurements {
  readonly reads: Record<ApiPath | 'raw' | 'emptyHttp', RunsStats>;
  readonly throughput: Record<'http' | 'raw', ThroughputRuns>;
  readonly checkouts: Record<ApiPath | 'raw', RunsStats>;
  /** Commands replayed on the twin table, every one with the API's outcome. */
  readonly replayedCommands: number;
  /** Items in each table at the end (both tables identical). */
  readonly items: number;
}

/** Warm-up (JIT, connection pools, DynamoDB Local's first queries) on every path; the baseline warms up too. */
async function warmUp(cell: BenchCell, requests: BenchRequests, options: ApiBenchOptions): Promise<void> {
  for (let i = 0; i < options.warmUp; i += 1) {
    for (const path of API_PATHS) await requests.getProduct(path)();
    await cell.documentClient.send(
      new GetCommand({ TableName: cell.twinName, Key: { pk: 'PRODUCT#sku-0001', sk: 'PRODUCT' } }),
    );
  }
  for (let i = 0; i < options.warmUp / 10; i += 1) {
    for (const path of API_PATHS)
      await requests.checkout(path, `warm-${path}-${i}`, await requests.cartFor(path, `warm-${path}-${i}`))();
  }
}

export async function measureApi(
  cell: BenchCell,
  requests: BenchRequests,
  options: ApiBenchOptions,
): Promise<ApiMeasurements> {
  await warmUp(cell, requests, options);
  const { getProduct, checkout, cartFor, replayOf } = requests;

  const reads = await measureRuns(
    options.runs,
    options.reads,
    {
      lambda: { run: getProduct('lambda') },
      inProcess: { run: getProduct('inProcess') },
      http: { run: getProduct('http') },
      raw: replayOf('get-product'),
      emptyHttp: {
        run: async () => {
          await cell.empty.send('GET', '/');
        },
      },
    },
    { clock: cell.clock },
  );

  // Throughput of one local cell: concurrent clients over HTTP, beside the same GetItem sent as concurrently.
  const concurrentApi = new KeepAliveClient(`http://127.0.0.1:${cell.apiPort}`, options.concurrency);
  const repeatGetProduct = cell.twin.repeatReads('get-product');
  const throughput = await throughputRuns(options.runs, options.concurrency, options.throughputRequests, {
    http: async () => {
      cell.recorder.nextRequest('throughput');
      const { status } = await concurrentApi.send('GET', requests.productRequest.path);
      if (status !== 200) throw new Error(`get-product under load: ${status}`);
    },
    raw: repeatGetProduct,
  }).finally(() => concurrentApi.close());

  const carts: Record<ApiPath, string>[] = [];
  const checkouts = await measureRuns(
    options.runs,
    options.checkouts,
    {
      lambda: { run: (i) => checkout('lambda', `l${i}`, carts[i]!.lambda)() },
      inProcess: { run: (i) => checkout('inProcess', `p${i}`, carts[i]!.inProcess)() },
      http: { run: (i) => checkout('http', `h${i}`, carts[i]!.http)() },
      raw: replayOf('checkout'),
    },
    {
      clock: cell.clock,
      setup: async (i) => {
        carts[i] = {
          lambda: await cartFor('lambda', `l${i}`),
          inProcess: await cartFor('inProcess', `p${i}`),
          http: await cartFor('http', `h${i}`),
        };
      },
    },
  );

  // The baseline may not drift from what the API did: same outcomes, identical tables.
  await cell.twin.finish();
  const fidelity = cell.twin.fidelity();
  const tables = await compareTwins(cell.documentClient, cell.tableName, cell.twinName);
  if (fidelity.mismatches.length > 0 || !tables.identical) {
    throw new Error(
      `the raw baseline diverged from the API's operations: ${[...fidelity.mismatches, tables.firstDifference ?? ''].join('; ')}`,
    );
  }
  return { reads, throughput, checkouts, replayedCommands: fidelity.replayed, items: tables.items };
}
