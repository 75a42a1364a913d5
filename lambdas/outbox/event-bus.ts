import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventEnvelope } from '../core/events/envelope';

/** Where the relay publishes events: the cell's EventBridge bus, or a SIMULATED bus locally and in tests (local/in-memory-publisher.ts). */
export interface EventPublisher {
  /** Returns the event ids that were not accepted. */
  publish(events: readonly EventEnvelope[]): Promise<{ failedEventIds: ReadonlySet<string> }>;
}

/** PutEvents takes at most 10 entries per call. */
export const PUT_EVENTS_BATCH_LIMIT = 10;

/** EventBridge `source` of the zone's events; rules match on it and on `detail-type` (the event type). */
export const eventSource = (zone: string) => `commerce.${zone}`;

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(events: readonly EventEnvelope[]): Promise<{ failedEventIds: ReadonlySet<string> }> {
    const failedEventIds = new Set<string>();
    for (let start = 0; start < events.length; start += PUT_EVENTS_BATCH_LIMIT) {
      const chunk = events.slice(start, start + PUT_EVENTS_BATCH_LIMIT);
      try {
        const { Entries = [] } = await this.client.send(
          new PutEventsCommand({
            Entries: chunk.map((event) => ({
              EventBusName: this.eventBusName,
              Source: eventSource(event.producer.zone),
              DetailType: event.eventType,
              Detail: JSON.stringify(event),
              Time: new Date(event.occurredAt),
              Resources: [],
            })),
          }),
        );
        // Result entries are index-aligned with the request; a failed one carries ErrorCode.
        chunk.forEach((event, index) => {
          if (!Entries[index] || Entries[index].ErrorCode) failedEventIds.add(event.eventId);
        });
      } catch {
        for (const event of chunk) failedEventIds.add(event.eventId);
      }
    }
    return { failedEventIds };
  }
}
