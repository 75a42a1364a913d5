import { ChangeMessageVisibilityCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliveryMessageSchema } from '../core/webhooks/delivery';
import type { Dispatcher, DispatchLogger } from './dispatcher';

/**
 * The webhook dispatcher behind SQS (SQS batch -> signed HTTPS POST); the Lambda entry that wires it is
 * event-pipeline/dispatcher-entry.ts.
 *
 * The schedule lives on SQS: the message's ApproximateReceiveCount is the
 * attempt number; after a failed attempt the handler sets the message's
 * visibility timeout to the next delay (ChangeMessageVisibility, at most
 * 12 h) and reports it in `batchItemFailures`, so SQS keeps it and shows it
 * again when the delay is over. Success, 410, exhaustion (DLQ record written
 * by the dispatcher) and duplicates are not reported, so SQS deletes them.
 * A handler crash leaves messages to the queue's own visibility timeout; the
 * queue's redrive policy (maxReceiveCount above 8) is the backstop DLQ.
 * The event source mapping must enable ReportBatchItemFailures.
 */

export interface DispatchHandlerDeps {
  readonly dispatcher: Pick<Dispatcher, 'dispatch'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  readonly logger?: DispatchLogger & { error(message: string, fields: Record<string, unknown>): void };
}

export function createDispatchHandler(deps: DispatchHandlerDeps) {
  const handleOne = async (record: SQSRecord): Promise<boolean> => {
    const parsed = deliveryMessageSchema.safeParse(safeJson(record.body));
    if (!parsed.success) {
      deps.logger?.error('unreadable delivery message dropped', { messageId: record.messageId });
      return true;
    }
    const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
    try {
      const outcome = await deps.dispatcher.dispatch(parsed.data, receiveCount);
      if (outcome.kind === 'done') return true;
      await deps.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: deps.queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: Math.ceil(outcome.delayMs / 1000),
        }),
      );
      return false;
    } catch (error) {
      deps.logger?.error('delivery attempt crashed; the queue retries it', {
        messageId: record.messageId,
        error: (error as Error).name,
      });
      return false;
    }
  };

  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const results = await Promise.all(event.Records.map(handleOne));
    return {
      batchItemFailures: event.Records.filter((_, index) => !results[index]).map((record) => ({
        itemIdentifier: record.messageId,
      })),
    };
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
