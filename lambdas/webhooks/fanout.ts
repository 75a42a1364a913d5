import type { EventEnvelope } from '../core/events/envelope';
import type { DeliveryMessage } from '../core/webhooks/delivery';
import type { DeliveryStore } from '../adapters/webhook-delivery-store';
import type { EndpointRegistry } from './endpoints';
import { matchesEventType } from '../core/webhooks/endpoint';
import type { DeliveryQueue } from './queue';

/**
 * One delivery per (event, matching enabled endpoint). Idempotent: the
 * delivery id is deterministic and created with a conditional put, so a
 * duplicate stream record or a relay retry enqueues nothing new. A run that
 * died between "created" and "enqueued" is finished by the next one
 * (`enqueued` flag). Returns the event ids whose deliveries are not all
 * safely enqueued; the relay reports those records as failed so the stream
 * retries them.
 */
export class DeliveryFanout {
  constructor(
    private readonly endpoints: EndpointRegistry,
    private readonly deliveries: DeliveryStore,
    private readonly queue: DeliveryQueue,
    /** Delivery-record writes in flight at once. */
    private readonly concurrency = 16,
  ) {}

  async fanOut(
    events: readonly EventEnvelope[],
  ): Promise<{ failedEventIds: ReadonlySet<string>; enqueued: number }> {
    const failedEventIds = new Set<string>();
    if (events.length === 0) return { failedEventIds, enqueued: 0 };
    const endpoints = (await this.endpoints.listRecords()).filter((e) => e.enabled);
    const pairs = [...new Map(events.map((e) => [e.eventId, e])).values()].flatMap((event) =>
      endpoints
        .filter((endpoint) => matchesEventType(endpoint, event.eventType))
        .map((endpoint) => ({ event, endpoint })),
    );
    const toSend: { message: DeliveryMessage; eventId: string }[] = [];
    await forEachLimited(pairs, this.concurrency, async ({ event, endpoint }) => {
      const record = await this.deliveries.createIfAbsent(event, endpoint.id).catch(() => {
        failedEventIds.add(event.eventId);
        return undefined;
      });
      if (record)
        toSend.push({
          message: { deliveryId: record.deliveryId, round: record.round },
          eventId: event.eventId,
        });
    });
    const { failed } = await this.queue.enqueue(toSend.map((entry) => entry.message));
    const failedDeliveries = new Set(failed);
    await forEachLimited(toSend, this.concurrency, async ({ message, eventId }) => {
      if (failedDeliveries.has(message.deliveryId)) failedEventIds.add(eventId);
      else await this.deliveries.markEnqueued(message.deliveryId, message.round);
    });
    return { failedEventIds, enqueued: toSend.length - failedDeliveries.size };
  }
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
