import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { handle } from 'hono/aws-lambda';
import { createDocumentClient } from '../adapters/table';
import { cellConfigFromEnv } from '../core/cell-config';
import { createEventPipeline } from '../event-pipeline/pipeline';
import { EventBridgePublisher } from '../outbox/event-bus';
import { relayReplicatedEvents, type TakeoverResult } from '../outbox/takeover';
import { SqsDeliveryQueue } from '../webhooks/queue';
import { createApp } from './app';
import { defaultLogger, resolveDependencies } from './dependencies';
import { isScheduledTask, relayWindow, SCHEDULED_TASKS, type ScheduledTask } from './scheduled-tasks';
import { type SweepResult, sweepAbandonedCheckouts } from './services/abandoned-checkouts';
import { type ReconciliationReport, reconcileIfWriter } from './services/reconciliation';

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
// One set of dependencies (payment provider, writer fence, circuit) for the API and the scheduled tasks.
const dependencies = resolveDependencies({ config, documentClient, logger, webhookQueue: queue });
const api = handle(createApp(dependencies));
const { table } = dependencies;

/**
 * relay-foreign-events: events other regions of the zone committed and never relayed (a failed primary's
 * last events reach this cell only through replication), relayed from here (outbox/takeover.ts).
 */
async function relayForeignEvents(task: ScheduledTask): Promise<TakeoverResult> {
  if (!config.EVENT_BUS_NAME) {
    throw new Error('EVENT_BUS_NAME is not set; the cell stack sets it to the cell event bus');
  }
  const pipeline = createEventPipeline({
    documentClient,
    tableName: config.TABLE_NAME,
    cellRegion: config.CELL_REGION,
    mode: 'cloud',
    queue,
  });
  const result = await relayReplicatedEvents({
    documentClient,
    tableName: config.TABLE_NAME,
    zone: config.CELL_ZONE,
    cellRegion: config.CELL_REGION,
    publisher: new EventBridgePublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME),
    fanout: pipeline.fanout,
    ...relayWindow(task, Date.now()),
  });
  logger.info('foreign events relayed', { ...result });
  // A failed event stays in the table: the next tick's window covers it again.
  if (result.failedEventIds.length > 0) throw new Error(`${result.failedEventIds.length} events not relayed`);
  return result;
}

/** reconcile: on the zone's writer, what a split left for reconciliation; what needs a person is logged as an error. */
async function reconcile(): Promise<ReconciliationReport | { skipped: string }> {
  const result = await reconcileIfWriter(dependencies);
  if ('skipped' in result) {
    logger.info('reconciliation skipped', { reason: result.skipped });
    return result;
  }
  logger.info('reconciliation ran', { ...result });
  if (result.needsAPerson.length > 0)
    logger.error('reconciliation needs a person', { needsAPerson: result.needsAPerson });
  return result;
}

/** API Gateway events go to the app; the cell's schedule sends `{ commerceTask }` (scheduled-tasks.ts). */
export async function handler(
  event: Parameters<typeof api>[0] | ScheduledTask,
  context: Parameters<typeof api>[1],
): Promise<
  Awaited<ReturnType<typeof api>> | SweepResult | TakeoverResult | ReconciliationReport | { skipped: string }
> {
  if (!isScheduledTask(event)) return api(event, context);
  if (event.commerceTask === SCHEDULED_TASKS.relayForeignEvents) return relayForeignEvents(event);
  if (event.commerceTask === SCHEDULED_TASKS.reconcile) return reconcile();
  const result = await sweepAbandonedCheckouts(table);
  logger.info('abandoned checkouts swept', {
    compensated: result.compensated.length,
    checkoutIds: result.compensated,
    alreadySettled: result.alreadySettled,
  });
  return result;
}
