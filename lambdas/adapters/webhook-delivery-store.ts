import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { EventEnvelope } from '../core/events/envelope';
import {
  type AttemptLog,
  DELIVERY_RETENTION_SECONDS,
  DeliveryInFlightError,
  DeliveryNotFoundError,
  type DeliveryRecord,
  type DeliveryStatus,
  type DlqEntry,
  deliveryIdOf,
} from '../core/webhooks/delivery';
import { type DynamoDBDocumentClient, GSI1, keys, type TransactWrite } from './table';

/**
 * Webhook delivery records, their attempt log and the DLQ, in the zone's single table (keys in table.ts):
 *
 *   delivery  keys.webhookDelivery(deliveryId)      gsi1 keys.endpointDeliveriesIndex(endpointId), <createdAt>#<deliveryId>
 *   attempt   keys.webhookAttempt(deliveryId, round, attempt)
 *   DLQ entry keys.webhookDlqEntry(deliveryId)
 *
 * Creation is a conditional put on the deterministic delivery id, so a duplicate creates nothing.
 */

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
            ...keys.webhookDelivery(record.deliveryId),
            entity: 'webhook_delivery',
            gsi1pk: keys.endpointDeliveriesIndex(endpointId),
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
          Key: keys.webhookDelivery(deliveryId),
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
          Key: keys.webhookDelivery(delivery.deliveryId),
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
      new GetCommand({ TableName: this.table, Key: keys.webhookDelivery(deliveryId), ConsistentRead: true }),
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
    const items: TransactWrite[] = [
      {
        Put: {
          TableName: this.table,
          Item: {
            ...keys.webhookAttempt(delivery.deliveryId, attempt.round, attempt.attempt),
            entity: 'webhook_attempt',
            expiresAt: this.expiresAt(),
            ...attempt,
          },
        },
      },
      {
        Update: {
          TableName: this.table,
          Key: keys.webhookDelivery(delivery.deliveryId),
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
            ...keys.webhookDlqEntry(delivery.deliveryId),
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
          Key: keys.webhookDelivery(delivery.deliveryId),
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
                Key: keys.webhookDelivery(deliveryId),
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
            { Delete: { TableName: this.table, Key: keys.webhookDlqEntry(deliveryId) } },
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
        ExpressionAttributeValues: {
          ':pk': keys.webhookDelivery(deliveryId).pk,
          ':attempt': keys.webhookAttemptPrefix,
        },
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
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :since AND :until',
          ExpressionAttributeValues: {
            ':pk': keys.endpointDeliveriesIndex(endpointId),
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
          ':pk': keys.webhookDlqPartition,
          ...(options.after ? { ':after': options.after } : {}),
        },
        Limit: limit,
      }),
    );
    const entries = (Items ?? []).map((item) => strip<DlqEntry>(item));
    return { entries, next: LastEvaluatedKey ? (entries.at(-1)?.deliveryId ?? null) : null };
  }
}
