import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../../lambdas/api/app';
import { DRILL_FLAG_KEY } from '../../../lambdas/adapters/table';
import { cellConfigSchema } from '../../../lambdas/core/cell-config';
import { freshCommerceTable } from '../../support/dynamodb';

describe('GET /v1/health', () => {
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  let documentClient: DynamoDBDocumentClient;
  const configFor = (tableName: string) =>
    cellConfigSchema.parse({
      APP_NAME: 'commerce',
      CELL_ZONE: 'global',
      CELL_REGION: 'us-east-1',
      CELL_ROLE: 'primary',
      TABLE_NAME: tableName,
    });

  beforeAll(async () => {
    table = await freshCommerceTable();
    documentClient = DynamoDBDocumentClient.from(table.client);
  });
  afterAll(() => table.drop());

  it('answers 200 with zone, region and a passing table check', async () => {
    const app = createApp({ config: configFor(table.tableName), documentClient });
    const response = await app.request('/v1/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'pass',
      zone: 'global',
      region: 'us-east-1',
      role: 'primary',
      version: expect.stringMatching(/\S/),
      checks: { table: { status: 'pass', durationMs: expect.any(Number) } },
    });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 503 with reason drill while the drill flag is on', async () => {
    const app = createApp({ config: configFor(table.tableName), documentClient });
    await documentClient.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: `${DRILL_FLAG_KEY.pk}#us-east-1`, sk: DRILL_FLAG_KEY.sk, enabled: true },
      }),
    );
    const response = await app.request('/v1/health');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'fail', reason: 'drill' });
  });

  it('answers 503 table_unavailable when the table hangs, once the check times out', async () => {
    // A table that never answers: the read only ends when the health check's own timeout aborts it.
    const hanging = new Proxy(documentClient, {
      get: (target, property, receiver) =>
        property === 'send'
          ? (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
              new Promise((_, reject) => {
                options?.abortSignal?.addEventListener('abort', () => reject(options.abortSignal!.reason), {
                  once: true,
                });
              })
          : Reflect.get(target, property, receiver),
    });
    const app = createApp({ config: configFor(table.tableName), documentClient: hanging });
    const response = await app.request('/v1/health');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
      reason: 'table_unavailable',
      checks: { table: { status: 'fail', detail: 'TimeoutError' } },
    });
  });

  it('answers 503 table_unavailable when the table does not answer', async () => {
    const app = createApp({ config: configFor('no-such-table'), documentClient });
    const response = await app.request('/v1/health');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ reason: 'table_unavailable' });
  });
});
