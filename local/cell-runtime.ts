import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ApiDependencies } from '../lambdas/api/app';
import type { CellConfig } from '../lambdas/core/cell-config';
import { InMemoryPublisher } from './in-memory-publisher';
import { createEventPipeline } from '../lambdas/event-pipeline/pipeline';
import { localDynamoClient } from './dynamodb-local';
import { InProcessQueue } from './in-process-queue';
import type { StreamRecordHandler } from './stream-poller';
import { tableContextOf } from '../lambdas/api/dependencies';
import { SWEEP_INTERVAL_MINUTES } from '../lambdas/api/scheduled-tasks';
import { relayReplicatedEvents, type TakeoverResult } from '../lambdas/outbox/takeover';
import { sweepAbandonedCheckouts } from '../lambdas/api/services/abandoned-checkouts';
import { startWebhookSink as startSink, type WebhookSink } from './webhook-sink';
import type { LocalPaymentProvider } from './payment-provider';
import type { LocalNetwork } from '../lambdas/webhooks/ssrf';
import type { WriterFence } from '../lambdas/core/writer-fence';

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

/** One cell's runtime besides its HTTP listener: the API's dependencies and the event pipeline. */
export interface CellRuntime {
  /** What the cell's API gets injected; mirrors lambdas/api/lambda.ts with local clients. */
  readonly api: ApiDependencies;
  /** Plugged into the cell's stream poller (the relay Lambda's event source mapping). */
  readonly relayHandler: StreamRecordHandler;
  /** SIMULATED EventBridge bus of the cell. */
  readonly publisher: InMemoryPublisher;
  /**
   * The cell's `relay-foreign-events` task over [since, until): events other regions of the zone committed
   * and never relayed, found in this cell's replica (lambdas/outbox/takeover.ts). In AWS the cell's schedule
   * runs it (lambdas/api/lambda.ts); locally it runs when invoked, as the runbook's "run it at once".
   */
  relayForeignEvents(window: { readonly since: number; readonly until: number }): Promise<TakeoverResult>;
  /** Webhook deliveries queued and not yet done (the SQS queue depth). */
  backlog(): number;
  /** Deliveries that exhausted their attempts (DLQ) or whose queue message was dead-lettered. */
  deadLetters(): number;
  start(): void;
  stop(): Promise<void>;
}

/**
 * A cell's production pieces wired with local stand-ins: the outbox relay and
 * the webhook dispatcher from the event pipeline's composition root
 * (lambdas/event-pipeline/pipeline.ts), the in-process queue for SQS, an in-memory
 * bus for EventBridge, and the API with the webhook operator routes mounted.
 */
export function createCellRuntime(
  config: CellConfig,
  dynamoEndpoint: string,
  /** Where webhooks may go locally: the topology's sink port(s) on loopback (options.ts `webhookTargetPorts`). */
  network: LocalNetwork,
  /**
   * SIMULATED payments, one provider for every cell: a real provider is one service that both regions
   * call, so a checkout retried in the other cell gets its authorization back under the same key.
   */
  paymentProvider: LocalPaymentProvider,
  /** @default from the config: none unless WRITER_FENCE says arc (which needs the local cluster: boot.ts passes it) */
  writerFence?: WriterFence,
): CellRuntime {
  const documentClient = cellDocumentClient(config, dynamoEndpoint);
  const queue = new InProcessQueue();
  const publisher = new InMemoryPublisher();
  const pipeline = createEventPipeline({
    documentClient,
    tableName: config.TABLE_NAME,
    cellRegion: config.CELL_REGION,
    mode: network,
    queue,
    publisher,
  });
  let dead = 0;
  queue.setHandler(async (message, receiveCount) => {
    const outcome = await pipeline.dispatcher.dispatch(message, receiveCount);
    if (outcome.kind === 'done' && outcome.result === 'dead') dead += 1;
    return outcome;
  });
  // The cell stack's schedule, locally: sweep the checkouts this cell started and nobody finished.
  let sweepTimer: NodeJS.Timeout | undefined;
  const sweep = () =>
    void sweepAbandonedCheckouts(tableContextOf(config, documentClient)).catch((error: Error) =>
      console.error(`[${config.CELL_ZONE}/${config.CELL_REGION}] checkout sweep failed: ${error.message}`),
    );
  return {
    api: {
      config,
      documentClient,
      // Test payment methods pm_card_ok / _declined / _fail / _hang / _late steer it.
      paymentProvider,
      webhookQueue: queue,
      networkMode: network,
      ...(writerFence ? { writerFence } : {}),
    },
    relayHandler: pipeline.relayHandler,
    publisher,
    relayForeignEvents: (window) =>
      relayReplicatedEvents({
        documentClient,
        tableName: config.TABLE_NAME,
        zone: config.CELL_ZONE,
        cellRegion: config.CELL_REGION,
        publisher,
        fanout: pipeline.fanout,
        ...window,
      }),
    backlog: () => queue.size,
    deadLetters: () => dead + queue.deadLetters.length,
    start: () => {
      queue.start();
      sweepTimer = setInterval(sweep, SWEEP_INTERVAL_MINUTES * 60_000).unref();
    },
    stop: async () => {
      clearInterval(sweepTimer);
      await queue.stop();
      documentClient.destroy();
    },
  };
}

/** The local webhook sink (SIMULATED customer endpoint: records deliveries, injectable faults). */
export function startWebhookSink(port: number, requestTimeoutMs?: number): Promise<WebhookSinkHandle> {
  return startSink({ port, ...(requestTimeoutMs ? { requestTimeoutMs } : {}) });
}
