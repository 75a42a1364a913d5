import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiDependencies } from '../lambdas/api/app';
import type { CellConfig } from '../lambdas/core/cell-config';
import { localDynamoClient } from './dynamodb-local';
import { startPlaceholderSink, type WebhookSinkHandle } from './sink-placeholder';
import type { StreamRecordHandler } from './stream-poller';

export type { WebhookSinkHandle };

/**
 * THE integration points between the local topology and the production
 * runtime code. Everything a cell runs (API dependencies, the stream consumer
 * behind the outbox relay) is decided here and nowhere else, so plugging in a
 * new production piece is a change to this file only.
 */

/** What the API of one cell gets injected; mirrors lambdas/api/lambda.ts with local clients. */
export function cellApiDependencies(config: CellConfig, dynamoEndpoint: string): ApiDependencies {
  const documentClient = DynamoDBDocumentClient.from(localDynamoClient(dynamoEndpoint, config.CELL_REGION), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { config, documentClient };
}

export interface OutboxConsumer {
  readonly handler: StreamRecordHandler;
  /** Records the relay still has to publish, when it can tell. */
  backlog(): number | null;
}

/**
 * The stream consumer of a cell's table (stand-in for the outbox relay Lambda).
 * PLACEHOLDER until the outbox relay (lambdas/outbox) is plugged in here: it
 * acknowledges every batch and publishes nothing.
 */
export function outboxConsumer(_config: CellConfig): OutboxConsumer {
  return { handler: async () => undefined, backlog: () => null };
}

/**
 * The local webhook sink (stand-in for customers' webhook endpoints).
 * PLACEHOLDER: swap in local/webhook-sink.ts here when it lands.
 */
export function startWebhookSink(port: number): Promise<WebhookSinkHandle> {
  return startPlaceholderSink(port);
}
