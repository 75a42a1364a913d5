import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { outboxEnvelopeOf } from '../adapters/outbox-repository';
import type { EventEnvelope } from '../core/events/envelope';
import type { EventPublisher } from './event-bus';

/**
 * Outbox relay: DynamoDB stream records -> event bus + webhook deliveries.
 *
 * - Only INSERTs of outbox items matter (the API writes each event once, in
 *   the same transaction as the business change); TTL deletions and every
 *   other item are ignored.
 * - Only events produced in THIS cell's region are relayed. The table is a
 *   global table: the secondary region's stream also carries the items
 *   replicated from the primary. Relaying those too would publish every
 *   event twice, once per region. After a failover the new primary produces
 *   events with its own region, so it relays exactly its own.
 * - Envelopes are validated with the shared zod schema; an invalid one can
 *   never become valid, so it is logged and skipped instead of blocking the
 *   shard.
 * - Per-record failures are reported as `batchItemFailures` (the stream
 *   retries from the lowest failed sequence number). Anything after it is
 *   reprocessed: publishing is at-least-once (consumers dedupe by eventId),
 *   deliveries are idempotent (deterministic id, conditional put).
 */

export interface RelayLogger {
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export interface DeliveryFanoutPort {
  /** `enqueued`: deliveries made now (those that already existed, made by any cell, are skipped). */
  fanOut(
    events: readonly EventEnvelope[],
  ): Promise<{ readonly failedEventIds: ReadonlySet<string>; readonly enqueued: number }>;
}

export interface RelayDeps {
  readonly cellRegion: string;
  readonly publisher: EventPublisher;
  readonly fanout: DeliveryFanoutPort;
  readonly logger?: RelayLogger;
}

export interface RelayResult extends DynamoDBBatchResponse {
  readonly published: number;
  readonly skipped: number;
}

const silent: RelayLogger = { warn: () => undefined, error: () => undefined };

export async function relayStreamBatch(event: DynamoDBStreamEvent, deps: RelayDeps): Promise<RelayResult> {
  const logger = deps.logger ?? silent;
  const pending: { sequenceNumber: string; envelope: EventEnvelope }[] = [];
  let skipped = 0;
  for (const record of event.Records) {
    const envelope = outboxEnvelopeOf(record);
    if (envelope === undefined) continue;
    if ('invalid' in envelope) {
      skipped += 1;
      logger.error('outbox item with an invalid envelope skipped', {
        sequenceNumber: record.dynamodb?.SequenceNumber,
        problems: envelope.invalid,
      });
      continue;
    }
    if (envelope.producer.region !== deps.cellRegion) {
      skipped += 1;
      continue;
    }
    pending.push({ sequenceNumber: record.dynamodb?.SequenceNumber ?? '', envelope });
  }

  // The same event twice in one batch (a duplicate stream record) is published and fanned out once.
  const events = [...new Map(pending.map((entry) => [entry.envelope.eventId, entry.envelope])).values()];
  const failed = new Set<string>();
  try {
    const { failedEventIds } = await deps.publisher.publish(events);
    for (const id of failedEventIds) failed.add(id);
  } catch (error) {
    logger.error('event bus publish failed', { error: (error as Error).name });
    for (const entry of pending) failed.add(entry.envelope.eventId);
  }
  try {
    const { failedEventIds } = await deps.fanout.fanOut(events.filter((e) => !failed.has(e.eventId)));
    for (const id of failedEventIds) failed.add(id);
  } catch (error) {
    logger.error('webhook fan-out failed', { error: (error as Error).name });
    for (const entry of pending) failed.add(entry.envelope.eventId);
  }
  if (failed.size) logger.warn('outbox records failed; the stream retries them', { count: failed.size });

  return {
    batchItemFailures: pending
      .filter((entry) => failed.has(entry.envelope.eventId))
      .map((entry) => ({ itemIdentifier: entry.sequenceNumber })),
    published: events.length - failed.size,
    skipped,
  };
}
