import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DrillFlagInjector } from '../../../chaos/injectors/drill-flag';
import { createApp } from '../../../lambdas/api/app';
import { cellConfigFromEnv } from '../../../lambdas/core/cell-config';
import { freshCommerceTable } from '../../support/dynamodb';

describe('drill-flag injector (DynamoDB Local)', () => {
  let table: Awaited<ReturnType<typeof freshCommerceTable>>;
  beforeAll(async () => {
    table = await freshCommerceTable('us-east-1');
  });
  afterAll(() => table.drop());

  /** The real app of the global us-east-1 cell on this test's table. */
  const usEast1Cell = (documentClient: DynamoDBDocumentClient) =>
    createApp({
      config: cellConfigFromEnv({
        APP_NAME: 'commerce',
        CELL_ZONE: 'global',
        CELL_REGION: 'us-east-1',
        CELL_ROLE: 'primary',
        TABLE_NAME: table.tableName,
      }),
      documentClient,
    });

  it('makes the cell health route answer 503 with reason drill, and healthy again after rollback', async () => {
    // Prepare: the real health route of a cell on this table
    const documentClient = DynamoDBDocumentClient.from(table.client);
    const app = usEast1Cell(documentClient);
    const health = async () => {
      const response = await app.request('/v1/health');
      return { status: response.status, body: (await response.json()) as { reason?: string } };
    };
    const injector = new DrillFlagInjector(documentClient, table.tableName, 'us-east-1');
    expect((await health()).status).toBe(200);
    // Act
    await injector.inject();
    const during = await health();
    await injector.rollback();
    await injector.rollback();
    const after = await health();
    // Assess
    expect(during).toEqual({ status: 503, body: expect.objectContaining({ reason: 'drill' }) });
    expect(after.status).toBe(200);
  });

  it('flags only its own region', async () => {
    const documentClient = DynamoDBDocumentClient.from(table.client);
    const app = usEast1Cell(documentClient);
    const other = new DrillFlagInjector(documentClient, table.tableName, 'us-west-2');
    await other.inject();
    expect((await app.request('/v1/health')).status).toBe(200);
    await other.rollback();
  });
});
