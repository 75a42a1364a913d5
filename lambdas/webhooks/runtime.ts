import type { DynamoDBDocumentClient } from '../adapters/table';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { EventPublisher } from '../outbox/event-bus';
import { type RelayLogger, relayStreamBatch } from '../outbox/relay';
import { DeliveryStore } from '../adapters/webhook-delivery-store';
import { type DispatchLogger, Dispatcher } from './dispatcher';
import { EndpointRegistry } from './endpoints';
import { DeliveryFanout } from './fanout';
import { createHttpPoster, type HttpPoster } from './http-client';
import { WebhookOperations } from './operations';
import type { DeliveryQueue } from './queue';
import type { NetworkMode, Resolver } from './ssrf';

/**
 * Composition root of one cell's event pipeline (relay + webhooks) for hosts
 * other than the two Lambda entries: the local topology and tests. Locally:
 *
 *   const queue = new InProcessQueue();
 *   const pipeline = createEventPipeline({ ..., mode: 'local', queue, publisher: new InMemoryPublisher() });
 *   queue.setHandler((message, count) => pipeline.dispatcher.dispatch(message, count)).start();
 *   // stream poller handler: pipeline.relayHandler; API: webhookExtension({ queue, mode: 'local' })
 */
export interface EventPipelineOptions {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Only events produced in this region are relayed (see relay.ts). */
  readonly cellRegion: string;
  readonly mode: NetworkMode;
  readonly queue: DeliveryQueue;
  readonly publisher: EventPublisher;
  /** @default createHttpPoster({ mode }) */
  readonly post?: HttpPoster;
  readonly resolve?: Resolver;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly logger?: DispatchLogger & RelayLogger;
}

export function createEventPipeline(options: EventPipelineOptions) {
  const { documentClient, tableName, mode } = options;
  const optional = {
    ...(options.now ? { now: options.now } : {}),
  };
  const endpoints = new EndpointRegistry({
    documentClient,
    tableName,
    mode,
    ...(options.resolve ? { resolve: options.resolve } : {}),
    ...optional,
  });
  const deliveries = new DeliveryStore({ documentClient, tableName, ...optional });
  const fanout = new DeliveryFanout(endpoints, deliveries, options.queue);
  const dispatcher = new Dispatcher({
    deliveries,
    endpoints,
    post: options.post ?? createHttpPoster({ mode }),
    ...optional,
    ...(options.random ? { random: options.random } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const operations = new WebhookOperations(endpoints, deliveries, options.queue);
  const relayHandler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { batchItemFailures } = await relayStreamBatch(event, {
      cellRegion: options.cellRegion,
      publisher: options.publisher,
      fanout,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return { batchItemFailures };
  };
  return { endpoints, deliveries, fanout, dispatcher, operations, relayHandler };
}

export type EventPipeline = ReturnType<typeof createEventPipeline>;
