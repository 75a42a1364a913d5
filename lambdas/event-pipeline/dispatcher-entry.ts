import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createDispatchHandler } from '../webhooks/sqs-handler';
import { entryContext } from './common';
import { createEventPipeline } from './pipeline';

/**
 * Webhook dispatcher Lambda entry (SQS -> signed HTTPS POST), wired by the event pipeline's composition.
 * Built on the first invocation, not at import.
 */
let dispatch: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

function create() {
  const { config, documentClient, sqs, queue, queueUrl, log } = entryContext(
    'webhook-dispatcher',
    'WebhookDispatcher',
  );
  const pipeline = createEventPipeline({
    documentClient,
    tableName: config.TABLE_NAME,
    cellRegion: config.CELL_REGION,
    mode: 'cloud',
    queue,
    logger: log,
  });
  return createDispatchHandler({ dispatcher: pipeline.dispatcher, sqs, queueUrl, logger: log });
}

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  dispatch ??= create();
  return dispatch(event);
}
