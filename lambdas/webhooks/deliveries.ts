import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { EventEnvelope } from '../core/events/envelope';

/**
 * Delivery records, attempt log and DLQ in the zone's single table.
 *
 *   delivery  pk DELIVERY#<deliveryId>  sk DELIVERY
 *             gsi1pk ENDPOINT_DELIVERIES#<endpointId>  gsi1sk <createdAt>#<deliveryId>
 *   attempt   pk DELIVERY#<deliveryId>  sk ATTEMPT#<round>#<attempt>
 *   DLQ entry pk WEBHOOK_DLQ             sk <deliveryId>
 *
 * `deliveryId = <eventId>_<endpointId>` is deterministic, so a duplicate
 * stream record finds the record already there (conditional put) and creates
 * no second delivery. `round` starts at 0 and grows on every operator resend,
 * recover or redrive; queue messages carry the round they were sent for, so a
 * stale message is dropped instead of sending twice.
 */

export const MAX_ATTEMPTS = 8;
export const RESPONSE_BODY_LIMIT = 1024;
export const DELIVERY_RETENTION_SECONDS = 30 * 24 * 3600;

export const deliveryMessageSchema = z.strictObject({
  deliveryId: z.string().min(1).max(80),
  round: z.number().int().nonnegative(),
});
export type DeliveryMessage = z.output<typeof deliveryMessageSchema>;

/** pending: scheduled or in flight; succeeded: a 2xx; failed: stopped early (410, endpoint disabled or deleted); dead: attempts exhausted, in the DLQ. */
export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'dead';

export interface DeliveryRecord {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly endpointId: string;
  readonly envelope: EventEnvelope;
  readonly status: DeliveryStatus;
  readonly round: number;
  /** Attempts made in the current round. */
  readonly attempts: number;
  /** True once the first queue message of the current round was sent. */
  readonly enqueued: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly lastAttemptAt?: string;
  readonly lastResponseStatus?: number | null;
  readonly nextAttemptAt?: string | null;
  readonly reason?: string;
  /** ms; set while an attempt is in flight (see `claim`). */
  readonly leaseUntil?: number;
}

export interface AttemptLog {
  readonly deliveryId: string;
  readonly round: number;
  readonly attempt: number;
  readonly at: string;
  /** HTTP status, or null when no response came back (timeout, connection error). */
  readonly responseStatus: number | null;
  readonly durationMs: number;
  /** First 1 KiB of the response body, or the error for a failed request. */
  readonly responseBody: string;
  readonly outcome: 'succeeded' | 'retry' | 'failed' | 'dead';
  readonly nextAttemptAt: string | null;
}

export interface DlqEntry {
  readonly deliveryId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly endpointId: string;
  readonly deadAt: string;
  readonly attempts: number;
  readonly lastResponseStatus: number | null;
}

export class DeliveryNotFoundError extends Error {
  override name = 'DeliveryNotFoundError';
}
export class DeliveryInFlightError extends Error {
  override name = 'DeliveryInFlightError';
}

export const deliveryIdOf = (eventId: string, endpointId: string) => `${eventId}_${endpointId}`;
export const deliveryKey = (deliveryId: string) => ({ pk: `DELIVERY#${deliveryId}`, sk: 'DELIVERY' });
/** gsi1 partition of an endpoint's deliveries, in createdAt order. */
const endpointDeliveriesIndexOf = (endpointId: string) => `ENDPOINT_DELIVERIES#${endpointId}`;
const dlqKey = (deliveryId: string) => ({ pk: 'WEBHOOK_DLQ', sk: deliveryId });
const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function truncateBody(text: string): string {
  return text.length > RESPONSE_BODY_LIMIT ? `${text.slice(0, RESPONSE_BODY_LIMIT)}…[truncated]` : text;
}

function strip<T>(item: Record<string, unknown>): T {
  const { pk: _p, sk: _s, entity: _e, gsi1pk: _g, gsi1sk: _t, expiresAt: _x, ...rest } = item;
  return rest as T;
}

export interface DeliveryStoreOptions {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => number;
}

export class DeliveryStore {
  private readonly now: () => number;

  constructor(private readonly options: DeliveryStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  private get db() {
    return this.options.documentClient;
  }
  private get table() {
    return this.options.tableName;
  }
  private expiresAt(): number {
    return Math.floor(this.now() / 1000) + DELIVERY_RETENTION_SECONDS;
  }

  /**
   * Creates the delivery unless it exists. Returns the record when a queue
   * message must be sent: new, or created earlier by a run that died before
   * enqueueing. Returns undefined for a duplicate (already enqueued).
   */
  async createIfAbsent(envelope: EventEnvelope, endpointId: string): Promise<DeliveryRecord | undefined> {
    const at = new Date(this.now()).toISOString();
    const record: DeliveryRecord = {
      deliveryId: deliveryIdOf(envelope.eventId, endpointId),
      eventId: envelope.eventId,
      eventType: envelope.eventType,
      endpointId,
      envelope,
      status: 'pending',
      round: 0,
      attempts: 0,
      enqueued: false,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...deliveryKey(record.deliveryId),
            entity: 'webhook_delivery',
            gsi1pk: endpointDeliveriesIndexOf(endpointId),
            gsi1sk: `${at}#${record.deliveryId}`,
            expiresAt: this.expiresAt(),
            ...record,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      const existing = await this.get(record.deliveryId);
      return existing && !existing.enqueued && existing.status === 'pending' ? existing : undefined;
    }
  }

  async markEnqueued(deliveryId: string, round: number): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: deliveryKey(deliveryId),
          UpdateExpression: 'SET enqueued = :t',
          ConditionExpression: '#round = :round',
          ExpressionAttributeNames: { '#round': 'round' },
          ExpressionAttributeValues: { ':t': true, ':round': round },
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  /**
   * Claims attempt `attempt` until `leaseUntil` (ms): a second copy of the
   * same queue message arriving meanwhile (SQS is at-least-once) finds the
   * lease and backs off instead of POSTing in parallel. A crashed holder's
   * lease simply expires. Returns false when another copy holds it or the
   * delivery moved on.
   */
  async claim(delivery: DeliveryRecord, attempt: number, leaseUntil: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: deliveryKey(delivery.deliveryId),
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression:
            '#round = :round AND #status = :pending AND attempts < :attempt AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
          ExpressionAttributeValues: {
            ':until': leaseUntil,
            ':round': delivery.round,
            ':pending': 'pending',
            ':attempt': attempt,
            ':now': this.now(),
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async get(deliveryId: string): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: deliveryKey(deliveryId), ConsistentRead: true }),
    );
    return Item ? strip<DeliveryRecord>(Item) : undefined;
  }

  /**
   * Records one attempt and the delivery's new state in one transaction,
   * conditional on nobody else having recorded this attempt (a duplicate
   * queue message racing this one). Returns false when the condition failed.
   * A `dead` outcome also writes the DLQ entry.
   */
  async recordAttempt(
    delivery: DeliveryRecord,
    attempt: AttemptLog,
    change: { status: DeliveryStatus; reason?: string },
  ): Promise<boolean> {
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Put: {
          TableName: this.table,
          Item: {
            pk: `DELIVERY#${delivery.deliveryId}`,
            sk: `ATTEMPT#${pad(attempt.round, 4)}#${pad(attempt.attempt, 2)}`,
            entity: 'webhook_attempt',
            expiresAt: this.expiresAt(),
            ...attempt,
          },
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: deliveryKey(delivery.deliveryId),
          UpdateExpression:
            'SET #status = :status, attempts = :attempt, updatedAt = :at, lastAttemptAt = :at, lastResponseStatus = :code, nextAttemptAt = :next, reason = :reason REMOVE leaseUntil',
          ConditionExpression: '#round = :round AND attempts < :attempt AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
          ExpressionAttributeValues: {
            ':status': change.status,
            ':attempt': attempt.attempt,
            ':at': attempt.at,
            ':code': attempt.responseStatus,
            ':next': attempt.nextAttemptAt,
            ':reason': change.reason ?? null,
            ':round': delivery.round,
            ':pending': 'pending',
          },
        },
      },
    ];
    if (change.status === 'dead') {
      const entry: DlqEntry = {
        deliveryId: delivery.deliveryId,
        eventId: delivery.eventId,
        eventType: delivery.eventType,
        endpointId: delivery.endpointId,
        deadAt: attempt.at,
        attempts: attempt.attempt,
        lastResponseStatus: attempt.responseStatus,
      };
      items.push({
        Put: {
          TableName: this.table,
          Item: {
            ...dlqKey(delivery.deliveryId),
            entity: 'webhook_dlq',
            expiresAt: this.expiresAt(),
            ...entry,
          },
        },
      });
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') return false;
      throw error;
    }
  }

  /** Stops a pending delivery without an attempt (endpoint disabled or deleted). */
  async stop(delivery: DeliveryRecord, reason: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: deliveryKey(delivery.deliveryId),
          UpdateExpression: 'SET #status = :failed, reason = :reason, updatedAt = :at, nextAttemptAt = :null',
          ConditionExpression: '#round = :round AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':reason': reason,
            ':at': new Date(this.now()).toISOString(),
            ':null': null,
            ':round': delivery.round,
            ':pending': 'pending',
          },
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  /**
   * Starts a new round (operator resend, recover, DLQ redrive): status back to
   * pending, attempts to 0, DLQ entry removed. Refuses a delivery that is
   * still pending unless `force` (it is already scheduled).
   */
  async reopen(deliveryId: string, options: { force?: boolean } = {}): Promise<DeliveryRecord> {
    const current = await this.get(deliveryId);
    if (!current) throw new DeliveryNotFoundError(`delivery ${deliveryId} not found`);
    if (current.status === 'pending' && !options.force) {
      throw new DeliveryInFlightError(
        `delivery ${deliveryId} is still scheduled (attempt ${current.attempts})`,
      );
    }
    const at = new Date(this.now()).toISOString();
    const next: DeliveryRecord = {
      ...current,
      status: 'pending',
      round: current.round + 1,
      attempts: 0,
      enqueued: false,
      updatedAt: at,
      nextAttemptAt: at,
    };
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: deliveryKey(deliveryId),
                UpdateExpression:
                  'SET #status = :pending, #round = :next, attempts = :zero, enqueued = :false, updatedAt = :at, nextAttemptAt = :at REMOVE reason, leaseUntil',
                ConditionExpression: '#round = :round',
                ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
                ExpressionAttributeValues: {
                  ':pending': 'pending',
                  ':next': next.round,
                  ':zero': 0,
                  ':false': false,
                  ':at': at,
                  ':round': current.round,
                },
              },
            },
            { Delete: { TableName: this.table, Key: dlqKey(deliveryId) } },
          ],
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') {
        throw new DeliveryInFlightError(`delivery ${deliveryId} changed meanwhile; retry`);
      }
      throw error;
    }
    return next;
  }

  async listAttempts(deliveryId: string): Promise<AttemptLog[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :attempt)',
        ExpressionAttributeValues: { ':pk': `DELIVERY#${deliveryId}`, ':attempt': 'ATTEMPT#' },
      }),
    );
    return (Items ?? []).map((item) => strip<AttemptLog>(item));
  }

  /** An endpoint's deliveries created in [since, until), oldest first. */
  async listByEndpoint(
    endpointId: string,
    window: { since: string; until: string },
    limit = 1000,
  ): Promise<DeliveryRecord[]> {
    const records: DeliveryRecord[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :since AND :until',
          ExpressionAttributeValues: {
            ':pk': endpointDeliveriesIndexOf(endpointId),
            ':since': window.since,
            // '#' sorts below every id character, so `<until>#` excludes deliveries created at `until`.
            ':until': `${window.until}#`,
          },
          ExclusiveStartKey,
        }),
      );
      records.push(...(page.Items ?? []).map((item) => strip<DeliveryRecord>(item)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && records.length < limit);
    return records.slice(0, limit);
  }

  /** DLQ entries ordered by delivery id (event ULID first, so roughly by event time). */
  async listDlq(
    options: { after?: string; limit?: number } = {},
  ): Promise<{ entries: DlqEntry[]; next: string | null }> {
    const limit = options.limit ?? 100;
    const { Items, LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: options.after ? 'pk = :pk AND sk > :after' : 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': 'WEBHOOK_DLQ',
          ...(options.after ? { ':after': options.after } : {}),
        },
        Limit: limit,
      }),
    );
    const entries = (Items ?? []).map((item) => strip<DlqEntry>(item));
    return { entries, next: LastEvaluatedKey ? (entries.at(-1)?.deliveryId ?? null) : null };
  }
}
