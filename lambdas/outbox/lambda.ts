import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createDocumentClient } from '../adapters/table';
import { cellConfigFromEnv } from '../core/cell-config';
import { DeliveryStore } from '../adapters/webhook-delivery-store';
import { EndpointRegistry } from '../webhooks/endpoints';
import { DeliveryFanout } from '../webhooks/fanout';
import { SqsDeliveryQueue } from '../webhooks/queue';
import { EventBridgePublisher } from './event-bus';
import { type RelayDeps, relayStreamBatch } from './relay';

/**
 * Outbox relay entry (DynamoDB stream -> EventBridge + webhook queue).
 * The event source mapping must enable ReportBatchItemFailures; see
 * stream-filter.ts for its filter.
 */
export function createRelayHandler(deps: RelayDeps) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { batchItemFailures } = await relayStreamBatch(event, deps);
    return { batchItemFailures };
  };
}

function required(name: string, value: string | undefined): string {
  if (!value) throw new Error(`${name} is not set; the OutboxRelay construct sets it`);
  return value;
}

/** Production defaults, built on the first invocation (not at import, so tests can import this module). */
function productionDeps(): RelayDeps {
  const config = cellConfigFromEnv();
  const logger = new Logger({ serviceName: 'outbox-relay' });
  const documentClient = createDocumentClient();
  const endpoints = new EndpointRegistry({ documentClient, tableName: config.TABLE_NAME, mode: 'cloud' });
  const deliveries = new DeliveryStore({ documentClient, tableName: config.TABLE_NAME });
  const queue = new SqsDeliveryQueue(
    new SQSClient({}),
    required('WEBHOOK_QUEUE_URL', config.WEBHOOK_QUEUE_URL),
  );
  return {
    cellRegion: config.CELL_REGION,
    publisher: new EventBridgePublisher(
      new EventBridgeClient({}),
      required('EVENT_BUS_NAME', config.EVENT_BUS_NAME),
    ),
    fanout: new DeliveryFanout(endpoints, deliveries, queue),
    logger: {
      warn: (message, fields) => logger.warn(message, fields),
      error: (message, fields) => logger.error(message, fields),
    },
  };
}

let relay: ReturnType<typeof createRelayHandler> | undefined;

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  relay ??= createRelayHandler(productionDeps());
  return relay(event);
}
