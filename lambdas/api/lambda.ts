import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { handle } from 'hono/aws-lambda';
import { cellConfigFromEnv } from '../core/cell-config';
import { createApp } from './app';

/** Lambda entry (API Gateway REST proxy): production defaults for every injected dependency. */
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export const handler = handle(createApp({ config: cellConfigFromEnv(), documentClient }));
