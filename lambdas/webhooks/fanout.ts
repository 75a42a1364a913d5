import type { EventEnvelope } from '../core/events/envelope';
import type { DeliveryMessage, DeliveryStore } from './deliveries';
import { type EndpointRegistry, matchesEventType } from './endpoints';
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
  ) {}

  async fanOut(
    events: readonly EventEnvelope[],
  ): Promise<{ failedEventIds: ReadonlySet<string>; enqueued: number }> {
    const failedEventIds = new Set<string>();
    if (events.length === 0) return { failedEventIds, enqueued: 0 };
    const endpoints = (await this.endpoints.listRecords()).filter((e) => e.enabled);
    const toSend: { message: DeliveryMessage; eventId: string }[] = [];
    for (const event of new Map(events.map((e) => [e.eventId, e])).values()) {
      const subscribers = endpoints.filter((endpoint) => matchesEventType(endpoint, event.eventType));
      const created = await Promise.all(
        subscribers.map((endpoint) =>
          this.deliveries.createIfAbsent(event, endpoint.id).catch(() => {
            failedEventIds.add(event.eventId);
            return undefined;
          }),
        ),
      );
      for (const record of created) {
        if (record)
          toSend.push({
            message: { deliveryId: record.deliveryId, round: record.round },
            eventId: event.eventId,
          });
      }
    }
    const { failed } = await this.queue.enqueue(toSend.map((entry) => entry.message));
    const failedDeliveries = new Set(failed);
    await Promise.all(
      toSend.map(async ({ message, eventId }) => {
        if (failedDeliveries.has(message.deliveryId)) failedEventIds.add(eventId);
        else await this.deliveries.markEnqueued(message.deliveryId, message.round);
      }),
    );
    return { failedEventIds, enqueued: toSend.length - failedDeliveries.size };
  }
}
