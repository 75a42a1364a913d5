import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createDocumentClient } from '../adapters/table';
import { type CellConfig, cellConfigFromEnv } from '../core/cell-config';
import { SqsDeliveryQueue } from '../webhooks/queue';

/** What both event-pipeline Lambda entries build from their environment (set by the cell stack). */
export interface EntryContext {
  readonly config: CellConfig;
  readonly documentClient: ReturnType<typeof createDocumentClient>;
  readonly sqs: SQSClient;
  readonly queue: SqsDeliveryQueue;
  readonly queueUrl: string;
  readonly log: {
    info(message: string, fields: Record<string, unknown>): void;
    warn(message: string, fields: Record<string, unknown>): void;
    error(message: string, fields: Record<string, unknown>): void;
  };
}

export function required(name: string, value: string | undefined, setBy: string): string {
  if (!value) throw new Error(`${name} is not set; ${setBy} sets it`);
  return value;
}

export function entryContext(serviceName: string, construct: string): EntryContext {
  const config = cellConfigFromEnv();
  const logger = new Logger({ serviceName });
  const sqs = new SQSClient({});
  const queueUrl = required('WEBHOOK_QUEUE_URL', config.WEBHOOK_QUEUE_URL, `the ${construct} construct`);
  return {
    config,
    documentClient: createDocumentClient(),
    sqs,
    queue: new SqsDeliveryQueue(sqs, queueUrl),
    queueUrl,
    log: {
      info: (message, fields) => logger.info(message, fields),
      warn: (message, fields) => logger.warn(message, fields),
      error: (message, fields) => logger.error(message, fields),
    },
  };
}
