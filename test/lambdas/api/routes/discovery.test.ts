import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../../../lambdas/api/app';
import { discoverySchema } from '../../../../lambdas/api/routes/discovery';
import { cellConfigSchema } from '../../../../lambdas/core/cell-config';
import { freshCommerceTable } from '../../../support/dynamodb';
import { createHarness, EU_ENDPOINT, type Harness, HARNESS_ZONE_CELLS } from '../harness';

describe('GET /v1/discovery', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.drop());

  it('answers, without a token, the cell zone, its cells and every zone endpoint from the cell configuration', async () => {
    // Act
    const response = await harness.call('GET', '/v1/discovery');
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    const body = await response.json();
    expect(discoverySchema.safeParse(body).success).toBe(true);
    expect(body).toEqual({
      zone: 'global',
      region: 'us-east-1',
      zoneEndpoint: 'https://api.global.shop.example.com',
      cells: HARNESS_ZONE_CELLS,
      zones: [
        { zone: 'eu', endpoint: EU_ENDPOINT },
        { zone: 'global', endpoint: 'https://api.global.shop.example.com' },
      ],
    });
  });

  it('answers 500 naming the missing variable when the deployment gave the cell no zone cells', async () => {
    // Prepare: a cell configured without ZONE_CELLS (a deployment fault, not a client error)
    const table = await freshCommerceTable();
    try {
      const config = cellConfigSchema.parse({
        APP_NAME: 'commerce',
        CELL_ZONE: 'global',
        CELL_REGION: 'us-east-1',
        CELL_ROLE: 'primary',
        TABLE_NAME: table.tableName,
        ZONE_ENDPOINTS: JSON.stringify({ global: 'https://api.global.shop.example.com' }),
      });
      const app = createApp({ config, documentClient: DynamoDBDocumentClient.from(table.client) });
      // Act
      const response = await app.request('/v1/discovery');
      // Assess
      expect(response.status).toBe(500);
      expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    } finally {
      await table.drop();
    }
  });
});
