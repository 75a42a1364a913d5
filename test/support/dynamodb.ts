import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localDynamoClient } from '../../local/dynamodb-local';
import { ensureTable } from '../../local/tables';

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

export type { DynamoDBClient };
