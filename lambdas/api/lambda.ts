import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { handle } from 'hono/aws-lambda';
import { cellConfigFromEnv } from '../core/cell-config';
import { SqsDeliveryQueue } from '../webhooks/queue';
import { createApp } from './app';
import { apiExtensions } from './extensions';

/** Lambda entry (API Gateway REST proxy): production defaults for every injected dependency. */
const config = cellConfigFromEnv();
if (!config.WEBHOOK_QUEUE_URL) {
  throw new Error('WEBHOOK_QUEUE_URL is not set; the cell stack sets it to the webhook delivery queue');
}
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const queue = new SqsDeliveryQueue(new SQSClient({}), config.WEBHOOK_QUEUE_URL);

export const handler = handle(createApp({ config, documentClient, extensions: apiExtensions({ queue }) }));
