import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { serve } from '@hono/node-server';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context as LambdaContext } from 'aws-lambda';
import type { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { demoProducts, seedDemoCatalog } from '../../lambdas/adapters/catalog-seed';
import { createApp } from '../../lambdas/api/app';
import { defaultLogger } from '../../lambdas/api/dependencies';
import type { AppEnv } from '../../lambdas/api/http/env';
import { defaultMetrics, powertoolsApiMetrics } from '../../lambdas/api/http/metrics';
import { type CellConfig, cellConfigSchema, cellEnvironment } from '../../lambdas/core/cell-config';
import { type DevKeys, devVerifier, generateDevKeys, mintDevToken } from '../../local/dev-auth';
import { freePort, localDynamoClient, startDynamoDbLocal } from '../../local/dynamodb-local';
import { LocalPaymentProvider } from '../../local/payment-provider';
import { ensureTable } from '../../local/tables';
import { CommandRecorder, TwinReplayer } from '../support/command-replay';
import { KeepAliveClient } from '../support/http-client';
import { DynamoClock } from '../support/interleave';
import { TelemetrySink } from '../support/telemetry-sink';

/**
 * One cell for the API bench on DynamoDB Local, reachable three ways (Lambda
 * handler, in-process, HTTP), beside an empty HTTP server of the same kind,
 * with a recorder on the API's client and a twin table for the raw baseline.
 */

/** The cell's variables (the runtime's own builder) and what a Lambda's environment adds. */
export const CELL_ENV: Readonly<Record<string, string>> = {
  ...cellEnvironment({
    appName: 'commerce',
    zone: 'global',
    region: 'us-east-1',
    role: 'primary',
    tableName: 'bench',
    zoneEndpoints: {},
    zoneCells: [],
    zoneGeographies: {},
    // Module init only: the handler builds its SQS client at load time but never sends here.
    webhookQueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/commerce-global-webhooks',
  }),
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

export type ApiPath = 'lambda' | 'inProcess' | 'http';
export const API_PATHS: readonly ApiPath[] = ['lambda', 'inProcess', 'http'];

export function benchCellConfig(tableName: string): CellConfig {
  return cellConfigSchema.parse({ ...CELL_ENV, TABLE_NAME: tableName });
}

/**
 * The production logger (INFO) and EMF metrics, as a deployed cell has them,
 * writing into `sink` instead of this terminal.
 */
export function productionTelemetry(config: CellConfig, sink: TelemetrySink) {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  return {
    logger: sink.capture(defaultLogger(config)),
    metrics: powertoolsApiMetrics(sink.capture(defaultMetrics(config.CELL_ZONE, config.CELL_REGION))),
  };
}

export interface BenchCell {
  readonly app: Hono<AppEnv>;
  readonly lambdaHandler: (
    event: APIGatewayProxyEvent,
    context: LambdaContext,
  ) => Promise<APIGatewayProxyResult>;
  readonly apiPort: number;
  readonly api: KeepAliveClient;
  readonly empty: KeepAliveClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly clock: DynamoClock;
  readonly recorder: CommandRecorder;
  readonly twin: TwinReplayer;
  readonly tableName: string;
  readonly twinName: string;
  readonly keys: DevKeys;
  /** Bearer token and content type of the bench customer. */
  readonly auth: Readonly<Record<string, string>>;
  readonly telemetry: TelemetrySink;
  close(): Promise<void>;
}

export async function startBenchCell(): Promise<BenchCell> {
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
  const config = benchCellConfig(tableName);
  const telemetry = new TelemetrySink();
  const app = createApp({
    config,
    documentClient: recorder.wrap(timed),
    ...productionTelemetry(config, telemetry),
    authVerifier: devVerifier(keys),
    paymentProvider: new LocalPaymentProvider(),
  });
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
  return {
    app,
    lambdaHandler: handle(app) as BenchCell['lambdaHandler'],
    apiPort,
    api,
    empty,
    documentClient,
    clock,
    recorder,
    twin,
    tableName,
    twinName,
    keys,
    auth: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    telemetry,
    close: async () => {
      api.close();
      empty.close();
      apiServer.close();
      emptyServer.close();
      client.destroy();
      await ddb?.stop();
    },
  };
}
