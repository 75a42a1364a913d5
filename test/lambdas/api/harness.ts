import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { demoProducts, seedDemoCatalog } from '../../../lambdas/adapters/catalog-seed';
import { LocalPaymentProvider } from '../../../local/payment-provider';
import { createApp } from '../../../lambdas/api/app';
import { type DevKeys, devVerifier, generateDevKeys, mintDevToken } from '../../../local/dev-auth';
import type { TableContext } from '../../../lambdas/adapters/table';
import { type ApiDependencies, type CheckoutStep, tableContextOf } from '../../../lambdas/api/dependencies';
import { noMetrics } from '../../../lambdas/api/http/metrics';
import { type CellConfig, cellConfigSchema } from '../../../lambdas/core/cell-config';
import { ADMIN_SCOPES, CUSTOMER_SCOPES } from '../../../lambdas/core/scopes';
import { freshCommerceTable } from '../../support/dynamodb';
import { testClockStart } from '../../support/clock';

/**
 * One cell of the API against a fresh DynamoDB Local table, with in-memory
 * dev keys, a steerable payment provider, a movable clock and the demo
 * catalog. Tests drive it through `app.request` (the real Hono app).
 */
export const EU_ENDPOINT = 'https://api.eu.shop.example.com';

export interface Harness {
  readonly tableName: string;
  readonly documentClient: DynamoDBDocumentClient;
  /** The cell configuration every app of this harness runs with. */
  readonly config: CellConfig;
  /** The table as repositories see it, on the harness clock. */
  readonly table: TableContext;
  readonly payments: LocalPaymentProvider;
  readonly keys: DevKeys;
  readonly clock: { now: number };
  app: ReturnType<typeof createApp>;
  /** Builds a fresh app (same table, provider, clock), e.g. after simulating a crash. */
  rebuild(overrides?: Partial<ApiDependencies>): ReturnType<typeof createApp>;
  /**
   * Rebuilds the app so that a checkout reaching `step` never returns, like a
   * process killed there (no compensation, no key release). Resolves when one has.
   */
  dieAt(step: CheckoutStep): Promise<void>;
  /** A customer token; `homeZone` defaults to the harness cell's zone, and `null` leaves the claim out. */
  token(subject: string, options?: { scopes?: readonly string[]; homeZone?: string | null }): Promise<string>;
  adminToken(): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; key?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  scanAll(): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/** The harness cell's zone: itself (the primary) and a secondary, as the deployment would list them. */
export const HARNESS_ZONE_CELLS = [
  { region: 'us-east-1', role: 'primary', endpoint: 'https://api.us-east-1.global.shop.example.com' },
  { region: 'us-west-2', role: 'secondary', endpoint: 'https://api.us-west-2.global.shop.example.com' },
] as const;

export async function createHarness(overrides: Partial<ApiDependencies> = {}): Promise<Harness> {
  const table = await freshCommerceTable();
  const documentClient = DynamoDBDocumentClient.from(table.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const keys = await generateDevKeys();
  const payments = new LocalPaymentProvider();
  const clock = { now: testClockStart() };
  await seedDemoCatalog({ documentClient, tableName: table.tableName }, demoProducts(100));
  const config = cellConfigSchema.parse({
    APP_NAME: 'commerce',
    CELL_ZONE: 'global',
    CELL_REGION: 'us-east-1',
    CELL_ROLE: 'primary',
    TABLE_NAME: table.tableName,
    ZONE_GEOGRAPHIES: JSON.stringify({ global: ['default'], eu: ['continent:EU'] }),
    ZONE_ENDPOINTS: JSON.stringify({ eu: EU_ENDPOINT, global: 'https://api.global.shop.example.com' }),
    ZONE_CELLS: JSON.stringify(HARNESS_ZONE_CELLS),
  });
  const build = (extra: Partial<ApiDependencies> = {}) =>
    createApp({
      config,
      documentClient,
      now: () => clock.now,
      logger: new Logger({ logLevel: process.env.TEST_LOG_LEVEL === 'ERROR' ? 'ERROR' : 'SILENT' }),
      metrics: noMetrics,
      authVerifier: devVerifier(keys, () => clock.now),
      paymentProvider: payments,
      paymentTimeoutMs: 200,
      ...overrides,
      ...extra,
    });
  const harness: Harness = {
    tableName: table.tableName,
    documentClient,
    config,
    table: tableContextOf(config, documentClient, () => clock.now),
    payments,
    keys,
    clock,
    app: build(),
    rebuild(extra) {
      harness.app = build(extra);
      return harness.app;
    },
    dieAt(step) {
      return new Promise<void>((reached) => {
        harness.rebuild({
          checkoutHook: async (at) => {
            if (at !== step) return;
            reached();
            await new Promise(() => undefined); // the process is gone
          },
        });
      });
    },
    token: (subject, { scopes = CUSTOMER_SCOPES, homeZone = config.CELL_ZONE } = {}) =>
      mintDevToken(keys, {
        subject,
        scopes,
        ...(homeZone === null ? {} : { homeZone }),
        now: clock.now,
      }),
    adminToken: () => mintDevToken(keys, { subject: 'operator-1', scopes: ADMIN_SCOPES, now: clock.now }),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (options.key) headers['idempotency-key'] = options.key;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      return harness.app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
    },
    async scanAll() {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documentClient.send(
          new ScanCommand({ TableName: table.tableName, ConsistentRead: true, ExclusiveStartKey }),
        );
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items;
    },
    drop: () => table.drop(),
  };
  return harness;
}

/** A cart for `subject` holding `quantity` of `productId`. */
export async function cartWith(
  harness: Harness,
  token: string,
  productId: string,
  quantity: number,
  keyPrefix = 'k',
): Promise<string> {
  const created = await harness.call('POST', '/v1/carts', { token, key: `${keyPrefix}-cart`, body: {} });
  if (created.status !== 201) throw new Error(`cart create: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const added = await harness.call('POST', `/v1/carts/${id}/items`, {
    token,
    key: `${keyPrefix}-add`,
    body: { productId, quantity },
  });
  if (added.status !== 200) throw new Error(`add item: ${added.status} ${await added.text()}`);
  return id;
}
