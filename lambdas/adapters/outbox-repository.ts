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
 * events by event id (ULID, so by time): the pull/replay API and the failover takeover read it.
 */

/** Outbox items are kept 7 days (TTL): the replay horizon of `GET /v1/events`. */
export const OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600;

const ENTITY = 'outbox';

export function outboxItem(event: EventEnvelope) {
  return {
    ...keys.outboxEvent(event.eventId),
    entity: ENTITY,
    gsi1pk: keys.outboxIndex(event.producer.zone),
    gsi1sk: event.eventId,
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

/** The smallest and largest event ids minted in [sinceMs, untilMs] (ULIDs sort by their time prefix). */
export function eventIdBounds(sinceMs: number, untilMs: number): { lower: string; upper: string } {
  return {
    lower: `${encodeTime(Math.max(0, sinceMs), 10)}0000000000000000`,
    upper: `${encodeTime(Math.max(0, untilMs), 10)}ZZZZZZZZZZZZZZZZ`,
  };
}

export class OutboxRepository {
  constructor(private readonly context: Pick<TableContext, 'documentClient' | 'tableName'>) {}

  /**
   * Up to `limit` envelopes of the zone with `lower <= eventId <= upper`, in event-id order, and the key to
   * resume after (undefined at the end of the range).
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
