import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '../adapters/table';
import { DeliveryStore } from '../adapters/webhook-delivery-store';
import type { EventPublisher } from '../outbox/event-bus';
import { type RelayLogger, relayStreamBatch } from '../outbox/relay';
import { type DispatchLogger, Dispatcher } from '../webhooks/dispatcher';
import { EndpointRegistry } from '../webhooks/endpoints';
import { DeliveryFanout } from '../webhooks/fanout';
import { createHttpPoster, type HttpPoster } from '../webhooks/http-client';
import { WebhookOperations } from '../webhooks/operations';
import type { DeliveryQueue } from '../webhooks/queue';
import type { NetworkMode, Resolver } from '../webhooks/ssrf';

/**
 * The composition root of one cell's event pipeline: outbox relay -> event bus + webhook fan-out -> queue
 * -> dispatcher, and the operator operations over the same stores. The one place these parts are wired,
 * used by the relay and dispatcher Lambda entries (this folder), the API's webhook routes, the local
 * topology and the webhooks bench. outbox/ and webhooks/ do not import each other; only this folder
 * sees both. Locally:
 *
 *   const queue = new InProcessQueue();
 *   const pipeline = createEventPipeline({ ..., mode: 'local', queue, publisher: new InMemoryPublisher() });
 *   queue.setHandler((message, count) => pipeline.dispatcher.dispatch(message, count)).start();
 *   // stream poller handler: pipeline.relayHandler; API: ApiDependencies { webhookQueue: queue, networkMode: 'local' }
 */
export interface EventPipelineOptions {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Only events produced in this region are relayed (see relay.ts). */
  readonly cellRegion: string;
  readonly mode: NetworkMode;
  readonly queue: DeliveryQueue;
  /** The event bus; omit where nothing relays (the API's operator routes). @default a bus that refuses */
  readonly publisher?: EventPublisher;
  /** @default createHttpPoster({ mode }) */
  readonly post?: HttpPoster;
  readonly resolve?: Resolver;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly logger?: DispatchLogger & RelayLogger;
}

const NO_EVENT_BUS: EventPublisher = {
  publish: async () => {
    throw new Error('this composition has no event bus: pass `publisher` to relay events');
  },
};

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
      publisher: options.publisher ?? NO_EVENT_BUS,
      fanout,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return { batchItemFailures };
  };
  return { endpoints, deliveries, fanout, dispatcher, operations, relayHandler };
}

export type EventPipeline = ReturnType<typeof createEventPipeline>;
