import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableContext } from '../../lambdas/adapters/table';
import { localDynamoClient } from '../../local/dynamodb-local';
import { ensureTable } from '../../local/tables';
import { testClockStart } from './clock';

/** Endpoint of the DynamoDB Local started by the jest global setup. */
export function dynamoEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error(
      'DYNAMODB_ENDPOINT is not set: run tests through jest (global setup starts DynamoDB Local)',
    );
  return endpoint;
}

export function testDynamoClient(region = 'us-east-1'): DynamoDBClient {
  return localDynamoClient(dynamoEndpoint(), region);
}

/** A fresh commerce table with a unique name; call `drop()` in afterAll. */
export async function freshCommerceTable(region = 'us-east-1') {
  const client = testDynamoClient(region);
  const tableName = `test-${randomUUID().slice(0, 8)}-commerce`;
  await ensureTable(client, tableName);
  return {
    client,
    tableName,
    drop: async (): Promise<void> => {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      client.destroy();
    },
  };
}

/** A fresh table as repositories see it: a document client, zone global, region us-east-1, a fixed clock. */
export function tableContextFor(
  table: { client: DynamoDBClient; tableName: string },
  now: () => number = frozenAt(testClockStart()),
): TableContext {
  return {
    documentClient: DynamoDBDocumentClient.from(table.client),
    tableName: table.tableName,
    zone: 'global',
    region: 'us-east-1',
    now,
  };
}

function frozenAt(ms: number): () => number {
  return () => ms;
}

export type { DynamoDBClient };
