import type { EventEnvelope } from '../lambdas/core/events/envelope';
import type { EventPublisher } from '../lambdas/outbox/event-bus';

/**
 * SIMULATED EventBridge bus of a local cell (and of tests and benchmarks).
 * Keeps the last `keep` published events in memory.
 */
export class InMemoryPublisher implements EventPublisher {
  events: EventEnvelope[] = [];
  published = 0;
  constructor(private readonly keep = 10_000) {}
  async publish(events: readonly EventEnvelope[]): Promise<{ failedEventIds: ReadonlySet<string> }> {
    this.events.push(...events);
    this.published += events.length;
    if (this.events.length > this.keep) this.events = this.events.slice(-this.keep);
    return { failedEventIds: new Set() };
  }
}
