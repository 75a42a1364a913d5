import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { DeleteTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { demoProducts, seedDemoCatalog } from '../../../lambdas/adapters/catalog-seed';
import { createApp } from '../../../lambdas/api/app';
import { noMetrics } from '../../../lambdas/api/http/metrics';
import { cellConfigSchema } from '../../../lambdas/core/cell-config';
import { ADMIN_SCOPES, CUSTOMER_SCOPES } from '../../../lambdas/core/scopes';
import { devVerifier, generateDevKeys, mintDevToken } from '../../../local/dev-auth';
import { LocalPaymentProvider } from '../../../local/payment-provider';
import { ZoneReplicator } from '../../../local/replicator';
import { StreamPoller } from '../../../local/stream-poller';
import { ensureTable } from '../../../local/tables';
import { dynamoEndpoint, testDynamoClient } from '../../support/dynamodb';
import { waitUntil } from '../../support/wait';

/**
 * A zone of two cells (us-east-1 primary, us-west-2 secondary) on DynamoDB Local, each region its own
 * namespace, joined by the local global-table stand-in (local/replicator.ts) and one payment provider,
 * as the local topology runs them. Tests call each cell's real app and hold or release replication to
 * make the races of a failover happen on purpose.
 */
export const REGIONS = ['us-east-1', 'us-west-2'] as const;
export type Region = (typeof REGIONS)[number];

export interface TwoCells {
  readonly payments: LocalPaymentProvider;
  readonly replicator: ZoneReplicator;
  call(
    region: Region,
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; key?: string },
  ): Promise<Response>;
  token(subject: string): Promise<string>;
  adminToken(): Promise<string>;
  scan(region: Region): Promise<Record<string, unknown>[]>;
  /**
   * Copies the items of `from` that `match` into `to`, as the replicator would apply them one by one: part of
   * a transaction reaching a replica before the rest (a global table replicates items, not transactions).
   * Returns how many it copied.
   */
  copy(from: Region, to: Region, match: (item: Record<string, unknown>) => boolean): Promise<number>;
  /** Waits until both streams were read past this moment, nothing is pending and both tables hold the same items. */
  converged(): Promise<void>;
  /**
   * Waits until the replicator has read both regions' streams up to this moment, without applying anything
   * (replication may be paused): what makes "the later write" later for last writer wins, whose clock here is
   * the moment a write is read from its stream.
   */
  streamed(): Promise<void>;
  close(): Promise<void>;
}

export async function createTwoCells(): Promise<TwoCells> {
  const tableName = `test-${randomUUID().slice(0, 8)}-zone`;
  const keys = await generateDevKeys();
  const payments = new LocalPaymentProvider();
  const clients = new Map<Region, DynamoDBClient>(REGIONS.map((r) => [r, testDynamoClient(r)]));
  const documents = new Map<Region, DynamoDBDocumentClient>();
  for (const region of REGIONS) {
    await ensureTable(clients.get(region)!, tableName);
    documents.set(
      region,
      DynamoDBDocumentClient.from(clients.get(region)!, { marshallOptions: { removeUndefinedValues: true } }),
    );
  }
  const table = (region: Region) => ({ region, client: clients.get(region)!, tableName });
  const replicator = new ZoneReplicator('global', table('us-east-1'), table('us-west-2'));
  const pollers: StreamPoller[] = [];
  /** `region|pk` of every record the replicator was handed, for `streamed()`. */
  const readKeys = new Set<string>();
  for (const region of REGIONS) {
    const { Table } = await clients.get(region)!.send(new DescribeTableCommand({ TableName: tableName }));
    const poller = new StreamPoller({
      name: `replicator ${region}`,
      endpoint: dynamoEndpoint(),
      region,
      streamArn: Table!.LatestStreamArn!,
      source: { region, eventSourceArn: Table!.LatestStreamArn! },
      handler: async (event) => {
        // Noted before the replicator queues them: what `streamed()` waits for.
        for (const record of event.Records) readKeys.add(`${region}|${record.dynamodb?.Keys?.pk?.S}`);
        return (await replicator.handlerFor(region)(event)) ?? undefined;
      },
      pollIntervalMs: 50,
    });
    poller.start();
    pollers.push(poller);
  }
  replicator.start();
  // Seeded in the primary only: the catalog reaches the secondary through replication, as in the cloud.
  await seedDemoCatalog({ documentClient: documents.get('us-east-1')!, tableName }, demoProducts(100));

  const apps = new Map(
    REGIONS.map((region, index) => {
      const config = cellConfigSchema.parse({
        APP_NAME: 'commerce',
        CELL_ZONE: 'global',
        CELL_REGION: region,
        CELL_ROLE: index === 0 ? 'primary' : 'secondary',
        TABLE_NAME: tableName,
        ZONE_GEOGRAPHIES: JSON.stringify({ global: ['default'] }),
        ZONE_ENDPOINTS: JSON.stringify({ global: 'https://api.global.shop.example.com' }),
      });
      const app = createApp({
        config,
        documentClient: documents.get(region)!,
        logger: new Logger({ logLevel: 'SILENT' }),
        metrics: noMetrics,
        authVerifier: devVerifier(keys),
        paymentProvider: payments,
        paymentTimeoutMs: 2000,
      });
      return [region, app] as const;
    }),
  );

  /** A barrier item in each region (`pk` the barrier, `sk` the region it was written in); returns its pk. */
  const writeBarrier = async () => {
    const barrier = `BARRIER#${randomUUID()}`;
    for (const region of REGIONS)
      await documents
        .get(region)!
        .send(new PutCommand({ TableName: tableName, Item: { pk: barrier, sk: region } }));
    return barrier;
  };

  const cells: TwoCells = {
    payments,
    replicator,
    async call(region, method, path, options = {}) {
      const headers: Record<string, string> = {};
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.key) headers['idempotency-key'] = options.key;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      return apps.get(region)!.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    },
    token: (subject) => mintDevToken(keys, { subject, scopes: CUSTOMER_SCOPES, homeZone: 'global' }),
    adminToken: () => mintDevToken(keys, { subject: 'operator-1', scopes: ADMIN_SCOPES }),
    async scan(region) {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documents
          .get(region)!
          .send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey }));
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items;
    },
    async copy(from, to, match) {
      const items = (await cells.scan(from)).filter(match);
      for (const item of items)
        await documents.get(to)!.send(new PutCommand({ TableName: tableName, Item: item }));
      return items.length;
    },
    async converged() {
      // A barrier item written in each region after the test's writes must cross to the other first: a write
      // whose stream has not been read yet is not pending, so `pending 0` alone can hold before it replicates.
      const barrier = await writeBarrier();
      const crossed = async (to: Region, from: Region) =>
        (
          await documents
            .get(to)!
            .send(
              new GetCommand({ TableName: tableName, Key: { pk: barrier, sk: from }, ConsistentRead: true }),
            )
        ).Item !== undefined;
      await waitUntil(
        async () => (await crossed('us-west-2', 'us-east-1')) && (await crossed('us-east-1', 'us-west-2')),
        120_000,
        50,
      );
      // Then nothing queued, then the item-by-item comparison, which scans both tables.
      await waitUntil(() => replicator.stats().pending === 0, 120_000, 50);
      await waitUntil(
        async () => replicator.stats().pending === 0 && (await replicator.convergence()).converged,
        120_000,
        500,
      );
    },
    async streamed() {
      // Each region's poller has read past a barrier written now: the writes before it are in the queue.
      const barrier = await writeBarrier();
      await waitUntil(() => REGIONS.every((region) => readKeys.has(`${region}|${barrier}`)), 120_000, 25);
    },
    async close() {
      await Promise.all(pollers.map((p) => p.stop()));
      await replicator.stop();
      for (const [, client] of clients) {
        await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
        client.destroy();
      }
    },
  };
  await cells.converged();
  return cells;
}
