import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryMessage } from '../core/webhooks/delivery';

/**
 * Where delivery messages go: SQS in the cloud (`SqsDeliveryQueue`), the
 * in-process queue locally (local/in-process-queue.ts). Every message is
 * delivered immediately (attempt 1); retries are scheduled by the consumer.
 */
export interface DeliveryQueue {
  /** Returns the delivery ids that could not be enqueued. */
  enqueue(messages: readonly DeliveryMessage[]): Promise<{ failed: readonly string[] }>;
}

export const SQS_BATCH_LIMIT = 10;

export class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(messages: readonly DeliveryMessage[]): Promise<{ failed: readonly string[] }> {
    const failed: string[] = [];
    for (let start = 0; start < messages.length; start += SQS_BATCH_LIMIT) {
      const chunk = messages.slice(start, start + SQS_BATCH_LIMIT);
      try {
        const result = await this.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((message, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(message),
            })),
          }),
        );
        for (const entry of result.Failed ?? []) {
          const message = chunk[Number(entry.Id)];
          if (message) failed.push(message.deliveryId);
        }
      } catch {
        failed.push(...chunk.map((message) => message.deliveryId));
      }
    }
    return { failed };
  }
}
