import type { SQSEvent } from 'aws-lambda';

/**
 * Webhook dispatcher entry (SQS -> signed HTTPS POST).
 * NOT IMPLEMENTED YET (issue 4): it fails every batch so messages stay queued and reach the DLQ, never lost.
 */
export async function handler(event: SQSEvent): Promise<never> {
  throw new Error(
    `webhook dispatcher not implemented yet (issue 4); ${event.Records.length} messages left queued`,
  );
}
