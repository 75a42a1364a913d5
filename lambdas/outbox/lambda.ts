import type { DynamoDBStreamEvent } from 'aws-lambda';

/**
 * Outbox relay entry (DynamoDB stream -> EventBridge + webhook queue).
 * NOT IMPLEMENTED YET (issue 4): it fails every batch on purpose so that, if
 * deployed, records go to the on-failure queue instead of being dropped.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<never> {
  throw new Error(
    `outbox relay not implemented yet (issue 4); ${event.Records.length} records left for redrive`,
  );
}
