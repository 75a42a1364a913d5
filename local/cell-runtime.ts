import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiDependencies } from '../lambdas/api/app';
import type { CellConfig } from '../lambdas/core/cell-config';
import type { EventEnvelope } from '../lambdas/core/events/envelope';
import type { EventPublisher } from '../lambdas/outbox/event-bus';
import { createRelayHandler } from '../lambdas/outbox/lambda';
import { DeliveryStore } from '../lambdas/webhooks/deliveries';
import { Dispatcher } from '../lambdas/webhooks/dispatcher';
import { EndpointRegistry } from '../lambdas/webhooks/endpoints';
import { DeliveryFanout } from '../lambdas/webhooks/fanout';
import { createHttpPoster } from '../lambdas/webhooks/http-client';
import { localDynamoClient } from './dynamodb-local';
import { InProcessQueue } from './in-process-queue';
import type { StreamRecordHandler } from './stream-poller';
import { startWebhookSink as startSink, type WebhookSink } from './webhook-sink';

/** What the topology needs from the sink (local/webhook-sink.ts provides more). */
export type WebhookSinkHandle = Pick<WebhookSink, 'url' | 'state' | 'setFault' | 'deliveries' | 'stop'>;

/**
 * THE integration points between the local topology and the production
 * runtime code. Everything a cell runs (API dependencies, the outbox relay
 * behind the stream poller, the webhook dispatcher behind its queue, the
 * sink) is decided here and nowhere else, so plugging in a new production
 * piece is a change to this file only.
 */

export function cellDocumentClient(config: CellConfig, dynamoEndpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(localDynamoClient(dynamoEndpoint, config.CELL_REGION), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** What the API of one cell gets injected; mirrors lambdas/api/lambda.ts with local clients. */
export function cellApiDependencies(config: CellConfig, dynamoEndpoint: string): ApiDependencies {
  return { config, documentClient: cellDocumentClient(config, dynamoEndpoint) };
}

/** SIMULATED EventBridge bus of a cell: accepts every event and keeps the most recent ones for inspection. */
export class LocalEventBus implements EventPublisher {
  private static readonly KEEP = 1000;
  readonly recent: EventEnvelope[] = [];
  published = 0;

  async publish(events: readonly EventEnvelope[]): Promise<{ failedEventIds: ReadonlySet<string> }> {
    this.published += events.length;
    this.recent.push(...events);
    if (this.recent.length > LocalEventBus.KEEP)
      this.recent.splice(0, this.recent.length - LocalEventBus.KEEP);
    return { failedEventIds: new Set() };
  }
}

export interface OutboxConsumer {
  /** Plugged into the cell's stream poller (the relay Lambda's event source mapping). */
  readonly handler: StreamRecordHandler;
  readonly eventBus: LocalEventBus;
  /** Webhook deliveries queued and not yet done (the SQS queue depth). */
  backlog(): number;
  /** Deliveries that exhausted their attempts (DLQ) or whose queue message was dead-lettered. */
  deadLetters(): number;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The cell's outbox relay (production `createRelayHandler`) publishing to a
 * local event bus and fanning out webhook deliveries into an in-process queue
 * (SIMULATED SQS) consumed by the production dispatcher.
 */
export function outboxConsumer(config: CellConfig, dynamoEndpoint: string): OutboxConsumer {
  const documentClient = cellDocumentClient(config, dynamoEndpoint);
  const tableName = config.TABLE_NAME;
  const endpoints = new EndpointRegistry({ documentClient, tableName, mode: 'local' });
  const deliveries = new DeliveryStore({ documentClient, tableName });
  const queue = new InProcessQueue();
  const dispatcher = new Dispatcher({ deliveries, endpoints, post: createHttpPoster({ mode: 'local' }) });
  let dead = 0;
  queue.setHandler(async (message, receiveCount) => {
    const outcome = await dispatcher.dispatch(message, receiveCount);
    if (outcome.kind === 'done' && outcome.result === 'dead') dead += 1;
    return outcome;
  });
  const eventBus = new LocalEventBus();
  const relay = createRelayHandler({
    cellRegion: config.CELL_REGION,
    publisher: eventBus,
    fanout: new DeliveryFanout(endpoints, deliveries, queue),
  });
  return {
    handler: relay,
    eventBus,
    backlog: () => queue.size,
    deadLetters: () => dead + queue.deadLetters.length,
    start: () => queue.start(),
    stop: async () => {
      await queue.stop();
      documentClient.destroy();
    },
  };
}

/** The local webhook sink (SIMULATED customer endpoint: records deliveries, injectable faults). */
export function startWebhookSink(port: number): Promise<WebhookSinkHandle> {
  return startSink({ port });
}
