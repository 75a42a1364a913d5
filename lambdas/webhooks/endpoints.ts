import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import * as z from 'zod';
import { eventTypePattern } from '../core/events/envelope';
import { generateSecret } from './signature';
import { assertSafeUrl, type NetworkMode, type Resolver } from './ssrf';

/**
 * Webhook endpoints (subscriptions) in the zone's single table:
 *   pk WEBHOOK#<id>, sk ENDPOINT, gsi1pk WEBHOOK_ENDPOINTS, gsi1sk <id>
 * The table is per zone and replicated, so endpoints follow the zone's data.
 * Secrets are stored with the item (the table is encrypted at rest with the
 * zone's key) and are returned to the caller exactly once: on create and on
 * rotate. Public views never carry them; never log an `EndpointRecord`.
 */

export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;
/** An endpoint whose deliveries have failed without a single success for this long is disabled. */
export const FAILING_DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000;

const eventTypeFilter = z
  .string()
  .refine(
    (value) => value === '*' || eventTypePattern.test(value) || /^[a-z][a-z0-9_]*\.\*$/.test(value),
    'must be an event type (order.v1.placed), a prefix wildcard (order.*) or *',
  );

export const createEndpointSchema = z.strictObject({
  url: z.url().max(2000),
  eventTypes: z.array(eventTypeFilter).min(1).max(100).default(['*']),
  description: z.string().max(500).optional(),
});
export const updateEndpointSchema = createEndpointSchema.partial();
export type CreateEndpointInput = z.input<typeof createEndpointSchema>;
export type UpdateEndpointInput = z.input<typeof updateEndpointSchema>;

export type DisabledReason = 'operator' | 'gone' | 'failing';

export interface EndpointSecret {
  readonly secret: string;
  /** ms since the epoch; absent on the current secret. */
  readonly expiresAt?: number;
}

export interface EndpointRecord {
  readonly id: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly description?: string;
  readonly enabled: boolean;
  readonly disabledReason?: DisabledReason;
  readonly secrets: readonly EndpointSecret[];
  /** First failure since the last success (ms); drives the 5-day auto-disable. */
  readonly failingSince?: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Optimistic-concurrency counter: every change is a Put conditional on the revision it read. */
  readonly revision: number;
}

export type PublicEndpoint = Omit<EndpointRecord, 'secrets'> & { readonly rotatingUntil?: string };

/** One element of TransactWriteItems (document-client form), so API routes can commit it with their audit entry. */
export type EndpointWrite = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A planned change: the write to commit, and the record before/after (for
 * the audit entry; never log them, they hold secrets: use toPublicEndpoint).
 */
export interface EndpointChange {
  readonly before: EndpointRecord | null;
  readonly after: EndpointRecord | null;
  readonly write: EndpointWrite;
}

export class EndpointNotFoundError extends Error {
  override name = 'EndpointNotFoundError';
}
/** The endpoint changed between read and write (another request won); re-read and retry. */
export class EndpointConflictError extends Error {
  override name = 'EndpointConflictError';
}

export function endpointKey(id: string) {
  return { pk: `WEBHOOK#${id}`, sk: 'ENDPOINT' };
}

export function matchesEventType(endpoint: Pick<EndpointRecord, 'eventTypes'>, eventType: string): boolean {
  return endpoint.eventTypes.some(
    (filter) =>
      filter === '*' ||
      filter === eventType ||
      (filter.endsWith('.*') && eventType.startsWith(filter.slice(0, -1))),
  );
}

/** Secrets to sign with now: the current one first, then any not yet expired previous one. */
export function activeSecrets(endpoint: Pick<EndpointRecord, 'secrets'>, now: number): string[] {
  return endpoint.secrets.filter((s) => s.expiresAt === undefined || s.expiresAt > now).map((s) => s.secret);
}

export function toPublicEndpoint(record: EndpointRecord, now: number): PublicEndpoint {
  const { secrets, ...rest } = record;
  const rotating = secrets
    .filter((s) => s.expiresAt !== undefined && s.expiresAt > now)
    .map((s) => s.expiresAt as number);
  return rotating.length ? { ...rest, rotatingUntil: new Date(Math.max(...rotating)).toISOString() } : rest;
}

function fromItem(item: Record<string, unknown>): EndpointRecord {
  const { pk: _pk, sk: _sk, entity: _e, gsi1pk: _g, gsi1sk: _s, ...record } = item;
  return record as unknown as EndpointRecord;
}

export interface EndpointRegistryOptions {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  /** cloud refuses loopback/private/link-local/metadata URLs; local allows loopback. */
  readonly mode: NetworkMode;
  readonly resolve?: Resolver;
  readonly now?: () => number;
}

/**
 * Endpoint changes are planned (`plan*`: read, validate, compute the next
 * record and one conditional write) and then either committed by the caller
 * with its own items (the API commits them with the audit entry and the
 * idempotency completion) or applied here (`create`, `update`, ...).
 */
export class EndpointRegistry {
  private readonly now: () => number;

  constructor(private readonly options: EndpointRegistryOptions) {
    this.now = options.now ?? Date.now;
  }

  private get db() {
    return this.options.documentClient;
  }

  private async checkUrl(url: string): Promise<void> {
    await assertSafeUrl(url, {
      mode: this.options.mode,
      ...(this.options.resolve ? { resolve: this.options.resolve } : {}),
    });
  }

  private putWrite(record: EndpointRecord, before: EndpointRecord | null): EndpointWrite {
    return {
      Put: {
        TableName: this.options.tableName,
        Item: {
          ...endpointKey(record.id),
          entity: 'webhook_endpoint',
          gsi1pk: 'WEBHOOK_ENDPOINTS',
          gsi1sk: record.id,
          ...record,
        },
        ...(before
          ? {
              ConditionExpression: 'revision = :revision',
              ExpressionAttributeValues: { ':revision': before.revision },
            }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      },
    };
  }

  private async require(id: string): Promise<EndpointRecord> {
    const record = await this.get(id);
    if (!record) throw new EndpointNotFoundError(`webhook endpoint ${id} not found`);
    return record;
  }

  private next(
    before: EndpointRecord,
    fields: Partial<EndpointRecord>,
    remove: readonly (keyof EndpointRecord)[] = [],
  ) {
    const record: Record<string, unknown> = {
      ...before,
      ...fields,
      updatedAt: new Date(this.now()).toISOString(),
      revision: before.revision + 1,
    };
    for (const name of remove) delete record[name];
    const after = record as unknown as EndpointRecord;
    return { before, after, write: this.putWrite(after, before) };
  }

  async planCreate(input: CreateEndpointInput): Promise<{ change: EndpointChange; secret: string }> {
    const parsed = createEndpointSchema.parse(input);
    await this.checkUrl(parsed.url);
    const now = this.now();
    const at = new Date(now).toISOString();
    const secret = generateSecret();
    const record: EndpointRecord = {
      id: `ep_${ulid(now)}`,
      url: parsed.url,
      eventTypes: parsed.eventTypes,
      ...(parsed.description !== undefined ? { description: parsed.description } : {}),
      enabled: true,
      secrets: [{ secret }],
      createdAt: at,
      updatedAt: at,
      revision: 1,
    };
    return { change: { before: null, after: record, write: this.putWrite(record, null) }, secret };
  }

  async planUpdate(id: string, patch: UpdateEndpointInput): Promise<EndpointChange> {
    const parsed = updateEndpointSchema.parse(patch);
    if (parsed.url !== undefined) await this.checkUrl(parsed.url);
    const fields = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
    return this.next(await this.require(id), fields);
  }

  async planSetEnabled(
    id: string,
    enabled: boolean,
    reason: DisabledReason = 'operator',
  ): Promise<EndpointChange> {
    const before = await this.require(id);
    return enabled
      ? this.next(before, { enabled: true }, ['disabledReason', 'failingSince'])
      : this.next(before, { enabled: false, disabledReason: reason });
  }

  /**
   * New current secret; the previous ones keep signing until 24 h from now
   * (both signatures are sent meanwhile). The secret is returned once.
   */
  async planRotate(id: string): Promise<{ change: EndpointChange; secret: string }> {
    const before = await this.require(id);
    const now = this.now();
    const secret = generateSecret();
    const previous = before.secrets
      .filter((s) => s.expiresAt === undefined || s.expiresAt > now)
      .map((s) => ({
        secret: s.secret,
        expiresAt: Math.min(s.expiresAt ?? Infinity, now + ROTATION_OVERLAP_MS),
      }));
    return { change: this.next(before, { secrets: [{ secret }, ...previous] }), secret };
  }

  async planDelete(id: string): Promise<EndpointChange> {
    const before = await this.require(id);
    return {
      before,
      after: null,
      write: {
        Delete: {
          TableName: this.options.tableName,
          Key: endpointKey(id),
          ConditionExpression: 'revision = :revision',
          ExpressionAttributeValues: { ':revision': before.revision },
        },
      },
    };
  }

  /** Applies a planned change on its own. Throws EndpointConflictError when the endpoint changed meanwhile. */
  async apply(change: EndpointChange): Promise<void> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: [change.write] }));
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') {
        throw new EndpointConflictError('the webhook endpoint changed meanwhile; re-read it and retry');
      }
      throw error;
    }
  }

  /** Creates an endpoint; the returned `secret` is shown to the caller once. */
  async create(input: CreateEndpointInput): Promise<{ endpoint: PublicEndpoint; secret: string }> {
    const { change, secret } = await this.planCreate(input);
    await this.apply(change);
    return { endpoint: toPublicEndpoint(change.after as EndpointRecord, this.now()), secret };
  }

  async update(id: string, patch: UpdateEndpointInput): Promise<PublicEndpoint> {
    return this.applied(await this.planUpdate(id, patch));
  }

  /** Retries on a concurrent change: the dispatcher (410, 5-day rule) must not lose the disable. */
  async setEnabled(
    id: string,
    enabled: boolean,
    reason: DisabledReason = 'operator',
  ): Promise<PublicEndpoint> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.applied(await this.planSetEnabled(id, enabled, reason));
      } catch (error) {
        if (!(error instanceof EndpointConflictError) || attempt >= 5) throw error;
      }
    }
  }

  async rotate(id: string): Promise<{ endpoint: PublicEndpoint; secret: string }> {
    const { change, secret } = await this.planRotate(id);
    return { endpoint: await this.applied(change), secret };
  }

  async delete(id: string): Promise<void> {
    await this.apply(await this.planDelete(id));
  }

  private async applied(change: EndpointChange): Promise<PublicEndpoint> {
    await this.apply(change);
    return toPublicEndpoint(change.after as EndpointRecord, this.now());
  }

  /** The full record, secrets included: for the dispatcher only. */
  async get(id: string): Promise<EndpointRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.options.tableName, Key: endpointKey(id), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async getPublic(id: string): Promise<PublicEndpoint> {
    return toPublicEndpoint(await this.require(id), this.now());
  }

  /** Every endpoint (full records); a zone has tens, not thousands, so one paged query is fine. */
  async listRecords(): Promise<EndpointRecord[]> {
    const records: EndpointRecord[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': 'WEBHOOK_ENDPOINTS' },
          ExclusiveStartKey,
        }),
      );
      records.push(...(page.Items ?? []).map(fromItem));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return records;
  }

  async list(): Promise<PublicEndpoint[]> {
    const now = this.now();
    return (await this.listRecords()).map((record) => toPublicEndpoint(record, now));
  }

  /** Enabled endpoints subscribed to `eventType`. */
  async subscribersOf(eventType: string): Promise<EndpointRecord[]> {
    return (await this.listRecords()).filter((e) => e.enabled && matchesEventType(e, eventType));
  }

  /**
   * Health bookkeeping from the dispatcher: plain attribute updates (no
   * revision bump), so they never conflict with an operator's change.
   */
  private async health(id: string, update: string, condition: string, values: Record<string, unknown> = {}) {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: endpointKey(id),
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  /** A delivery succeeded: the endpoint is healthy again. Writes only when it was failing. */
  async recordSuccess(endpoint: EndpointRecord): Promise<void> {
    if (endpoint.failingSince === undefined) return;
    await this.health(endpoint.id, 'REMOVE failingSince', 'attribute_exists(failingSince)');
  }

  /**
   * A delivery attempt failed. Returns true when this failure disabled the
   * endpoint because it has been failing for 5 days without a success.
   */
  async recordFailure(endpoint: EndpointRecord): Promise<boolean> {
    const now = this.now();
    if (endpoint.failingSince === undefined) {
      await this.health(endpoint.id, 'SET failingSince = :now', 'attribute_not_exists(failingSince)', {
        ':now': now,
      });
      return false;
    }
    if (endpoint.enabled && now - endpoint.failingSince >= FAILING_DISABLE_AFTER_MS) {
      await this.setEnabled(endpoint.id, false, 'failing');
      return true;
    }
    return false;
  }
}
