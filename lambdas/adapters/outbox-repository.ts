import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { encodeTime } from 'ulid';
import { type EventEnvelope, eventEnvelopeSchema } from '../core/events/envelope';
import { GSI1, keys, type TableContext } from './table';

/**
 * The outbox: each event is written as an item in the same transaction as the business change that
 * produced it; the relay reads it from the table stream and publishes the envelope. gsi1 orders a zone's
 * events by position (the time the event occurred, then its id): the pull/replay API pages by position and
 * the failover takeover and reconciliation read time windows. An event id is derived from its fact, so a
 * fact stated twice (a request run again in the other cell) is one outbox item: the second run's conditional
 * put fails and the mutation commits without it (see mutation.ts).
 */

/** Outbox items are kept 7 days (TTL): the replay horizon of `GET /v1/events`. */
export const OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600;

const ENTITY = 'outbox';

export function outboxItem(event: EventEnvelope) {
  return {
    ...keys.outboxEvent(event.eventId),
    entity: ENTITY,
    gsi1pk: keys.outboxIndex(event.producer.zone),
    gsi1sk: positionOf(event),
    envelope: event,
    expiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + OUTBOX_RETENTION_SECONDS,
  };
}

function isOutboxItem(item: Record<string, unknown> | undefined): boolean {
  return item?.entity === ENTITY && typeof item.pk === 'string' && item.pk.startsWith(keys.outboxPrefix);
}

/**
 * The envelope of an outbox INSERT in a table stream record; `undefined` for records the relay ignores
 * (other items, updates, TTL deletions), `{ invalid }` for an outbox item whose envelope fails the schema.
 */
export function outboxEnvelopeOf(record: DynamoDBRecord): EventEnvelope | undefined | { invalid: string } {
  if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return undefined;
  const item = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
  if (!isOutboxItem(item)) return undefined;
  const parsed = eventEnvelopeSchema.safeParse(item.envelope);
  if (!parsed.success)
    return { invalid: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return parsed.data;
}

/** An event's place in its zone's order: 10 characters of its time (ULID's time encoding), then its id. */
export function positionOf(event: Pick<EventEnvelope, 'occurredAt' | 'eventId'>): string {
  return `${encodeTime(Date.parse(event.occurredAt), 10)}${event.eventId}`;
}

/** A position as the pull/replay API hands it out and takes it back (`after`). */
export const POSITION_PATTERN = /^[0-9A-HJKMNP-TV-Z]{36}$/;

/** The smallest and largest positions of events that occurred in [sinceMs, untilMs]. */
export function positionBounds(sinceMs: number, untilMs: number): { lower: string; upper: string } {
  return {
    lower: `${encodeTime(Math.max(0, sinceMs), 10)}${'0'.repeat(26)}`,
    upper: `${encodeTime(Math.max(0, untilMs), 10)}${'Z'.repeat(26)}`,
  };
}

export class OutboxRepository {
  constructor(private readonly context: Pick<TableContext, 'documentClient' | 'tableName'>) {}

  /**
   * Up to `limit` envelopes of the zone with `lower <= position <= upper`, in position order, and the key
   * to resume after (undefined at the end of the range).
   */
  async page(
    zone: string,
    range: { readonly lower: string; readonly upper: string },
    limit: number,
    resumeAfter?: Record<string, unknown>,
  ): Promise<{ envelopes: EventEnvelope[]; resumeAfter?: Record<string, unknown> }> {
    const { Items = [], LastEvaluatedKey } = await this.context.documentClient.send(
      new QueryCommand({
        TableName: this.context.tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lower AND :upper',
        ExpressionAttributeValues: {
          ':pk': keys.outboxIndex(zone),
          ':lower': range.lower,
          ':upper': range.upper,
        },
        Limit: limit,
        ExclusiveStartKey: resumeAfter,
      }),
    );
    const envelopes = Items.flatMap((item) => {
      const parsed = eventEnvelopeSchema.safeParse(item.envelope);
      return parsed.success ? [parsed.data] : [];
    });
    return { envelopes, ...(LastEvaluatedKey ? { resumeAfter: LastEvaluatedKey } : {}) };
  }
}
