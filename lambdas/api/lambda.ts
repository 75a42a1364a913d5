import { SQSClient } from '@aws-sdk/client-sqs';
import { handle } from 'hono/aws-lambda';
import { createDocumentClient } from '../adapters/table';
import { cellConfigFromEnv } from '../core/cell-config';
import { SqsDeliveryQueue } from '../webhooks/queue';
import { createApp } from './app';
import { defaultLogger, tableContextOf } from './dependencies';
import { isScheduledTask, type ScheduledTask } from './scheduled-tasks';
import { type SweepResult, sweepAbandonedCheckouts } from './services/abandoned-checkouts';

/**
 * Lambda entry (API Gateway REST proxy, and the cell's scheduled tasks):
 * production defaults for every injected dependency.
 */
const config = cellConfigFromEnv();
if (!config.WEBHOOK_QUEUE_URL) {
  throw new Error('WEBHOOK_QUEUE_URL is not set; the cell stack sets it to the webhook delivery queue');
}
const documentClient = createDocumentClient();
const queue = new SqsDeliveryQueue(new SQSClient({}), config.WEBHOOK_QUEUE_URL);

const logger = defaultLogger(config);
const api = handle(createApp({ config, documentClient, logger, webhookQueue: queue }));
const table = tableContextOf(config, documentClient);

/** API Gateway events go to the app; the cell's schedule sends `{ commerceTask }` (scheduled-tasks.ts). */
export async function handler(
  event: Parameters<typeof api>[0] | ScheduledTask,
  context: Parameters<typeof api>[1],
): Promise<Awaited<ReturnType<typeof api>> | SweepResult> {
  if (!isScheduledTask(event)) return api(event, context);
  const result = await sweepAbandonedCheckouts(table);
  logger.info('abandoned checkouts swept', {
    compensated: result.compensated.length,
    checkoutIds: result.compensated,
    alreadySettled: result.alreadySettled,
  });
  return result;
}
