import { OutboxRepository, positionBounds } from '../adapters/outbox-repository';
import type { DynamoDBDocumentClient } from '../adapters/table';
import type { EventPublisher } from './event-bus';
import type { DeliveryFanoutPort } from './relay';

/**
 * Failover gap closer. Each cell relays only the events its own region
 * produced (relay.ts). When a primary region fails, events it committed and
 * that replicated to the secondary, but that it had not relayed yet, are in
 * the secondary's table and nobody relays them. After a failover, an
 * operator (or the runbook) runs this in the new primary for a window
 * around the failure: it relays the OTHER regions' events of the window.
 *
 * Webhooks stay exactly-once in effect: delivery records replicate with the
 * table and have deterministic ids, so deliveries the old primary had
 * already created are found and skipped. The event bus is at-least-once:
 * events of the window the old primary did publish are published again
 * (consumers dedupe by eventId, as the contract says).
 */
export interface TakeoverOptions {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly zone: string;
  readonly cellRegion: string;
  readonly publisher: EventPublisher;
  readonly fanout: DeliveryFanoutPort;
  /** ms since the epoch, inclusive / exclusive, by the time events occurred. */
  readonly since: number;
  readonly until: number;
}

export interface TakeoverResult {
  readonly examined: number;
  readonly relayed: number;
  /** Webhook deliveries this run made: those no cell had made before (the rest were found and skipped). */
  readonly deliveriesEnqueued: number;
  readonly failedEventIds: readonly string[];
}

const PAGE = 100;

export async function relayReplicatedEvents(options: TakeoverOptions): Promise<TakeoverResult> {
  const outbox = new OutboxRepository(options);
  const range = positionBounds(options.since, options.until - 1);
  let resumeAfter: Record<string, unknown> | undefined;
  let examined = 0;
  let relayed = 0;
  let deliveriesEnqueued = 0;
  const failed = new Set<string>();
  do {
    const page = await outbox.page(options.zone, range, PAGE, resumeAfter);
    resumeAfter = page.resumeAfter;
    examined += page.envelopes.length;
    const foreign = page.envelopes.filter((e) => e.producer.region !== options.cellRegion);
    if (foreign.length === 0) continue;
    const published = await options.publisher.publish(foreign);
    const fannedOut = await options.fanout.fanOut(
      foreign.filter((e) => !published.failedEventIds.has(e.eventId)),
    );
    deliveriesEnqueued += fannedOut.enqueued;
    for (const id of [...published.failedEventIds, ...fannedOut.failedEventIds]) failed.add(id);
    relayed += foreign.filter((e) => !failed.has(e.eventId)).length;
  } while (resumeAfter);
  return { examined, relayed, deliveriesEnqueued, failedEventIds: [...failed] };
}
