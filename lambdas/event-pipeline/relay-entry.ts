import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgePublisher } from '../outbox/event-bus';
import { entryContext, required } from './common';
import { createEventPipeline } from './pipeline';

/**
 * Outbox relay Lambda entry (DynamoDB stream -> EventBridge + webhook queue), wired by the event
 * pipeline's composition. The event source mapping must enable ReportBatchItemFailures; see
 * outbox/stream-filter.ts for its filter. Built on the first invocation, not at import.
 */
let relay: ((event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>) | undefined;

function create() {
  const { config, documentClient, queue, log } = entryContext('outbox-relay', 'OutboxRelay');
  return createEventPipeline({
    documentClient,
    tableName: config.TABLE_NAME,
    cellRegion: config.CELL_REGION,
    mode: 'cloud',
    queue,
    publisher: new EventBridgePublisher(
      new EventBridgeClient({}),
      required('EVENT_BUS_NAME', config.EVENT_BUS_NAME, 'the OutboxRelay construct'),
    ),
    logger: log,
  }).relayHandler;
}

export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  relay ??= create();
  return relay(event);
}
