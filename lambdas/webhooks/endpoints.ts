import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { z } from 'zod';
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
}

export type PublicEndpoint = Omit<EndpointRecord, 'secrets'> & { readonly rotatingUntil?: string };

export class EndpointNotFoundError extends Error {
  override name = 'EndpointNotFoundError';
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

  /** Creates an endpoint; the returned `secret` is shown to the caller once. */
  async create(input: CreateEndpointInput): Promise<{ endpoint: PublicEndpoint; secret: string }> {
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
    };
    await this.db.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          ...endpointKey(record.id),
          entity: 'webhook_endpoint',
          gsi1pk: 'WEBHOOK_ENDPOINTS',
          gsi1sk: record.id,
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return { endpoint: toPublicEndpoint(record, now), secret };
  }

  /** The full record, secrets included: for the dispatcher only. */
  async get(id: string): Promise<EndpointRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.options.tableName, Key: endpointKey(id), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async getPublic(id: string): Promise<PublicEndpoint> {
    const record = await this.get(id);
    if (!record) throw new EndpointNotFoundError(`webhook endpoint ${id} not found`);
    return toPublicEndpoint(record, this.now());
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

  private async updateFields(
    id: string,
    fields: Record<string, unknown>,
    remove: readonly string[] = [],
    condition?: { expression: string; values: Record<string, unknown> },
  ): Promise<EndpointRecord> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ...condition?.values };
    const sets = Object.entries({ ...fields, updatedAt: new Date(this.now()).toISOString() }).map(
      ([name, value], index) => {
        names[`#f${index}`] = name;
        values[`:v${index}`] = value;
        return `#f${index} = :v${index}`;
      },
    );
    const removes = remove.map((name, index) => {
      names[`#r${index}`] = name;
      return `#r${index}`;
    });
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: endpointKey(id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: ['attribute_exists(pk)', condition?.expression].filter(Boolean).join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(Attributes ?? {});
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') {
        throw new EndpointNotFoundError(`webhook endpoint ${id} not found`);
      }
      throw error;
    }
  }

  async update(id: string, patch: UpdateEndpointInput): Promise<PublicEndpoint> {
    const parsed = updateEndpointSchema.parse(patch);
    if (parsed.url !== undefined) await this.checkUrl(parsed.url);
    const fields = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
    return toPublicEndpoint(await this.updateFields(id, fields), this.now());
  }

  async setEnabled(
    id: string,
    enabled: boolean,
    reason: DisabledReason = 'operator',
  ): Promise<PublicEndpoint> {
    const record = enabled
      ? await this.updateFields(id, { enabled: true }, ['disabledReason', 'failingSince'])
      : await this.updateFields(id, { enabled: false, disabledReason: reason });
    return toPublicEndpoint(record, this.now());
  }

  /**
   * New current secret; the previous ones keep signing until 24 h from now
   * (both signatures are sent meanwhile). Returns the new secret once.
   */
  async rotate(id: string): Promise<{ endpoint: PublicEndpoint; secret: string }> {
    const current = await this.get(id);
    if (!current) throw new EndpointNotFoundError(`webhook endpoint ${id} not found`);
    const now = this.now();
    const secret = generateSecret();
    const previous = current.secrets
      .filter((s) => s.expiresAt === undefined || s.expiresAt > now)
      .map((s) => ({
        secret: s.secret,
        expiresAt: Math.min(s.expiresAt ?? Infinity, now + ROTATION_OVERLAP_MS),
      }));
    const record = await this.updateFields(id, { secrets: [{ secret }, ...previous] }, [], {
      expression: 'updatedAt = :seen',
      values: { ':seen': current.updatedAt },
    }).catch((error: Error) => {
      if (error instanceof EndpointNotFoundError) {
        throw new EndpointNotFoundError(`webhook endpoint ${id} changed meanwhile or was deleted; retry`);
      }
      throw error;
    });
    return { endpoint: toPublicEndpoint(record, now), secret };
  }

  async delete(id: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.options.tableName, Key: endpointKey(id) }));
  }

  /** A delivery succeeded: the endpoint is healthy again. Writes only when it was failing. */
  async recordSuccess(endpoint: EndpointRecord): Promise<void> {
    if (endpoint.failingSince === undefined) return;
    await this.updateFields(endpoint.id, {}, ['failingSince']).catch(() => undefined);
  }

  /**
   * A delivery attempt failed. Returns true when this failure disabled the
   * endpoint because it has been failing for 5 days without a success.
   */
  async recordFailure(endpoint: EndpointRecord): Promise<boolean> {
    const now = this.now();
    if (endpoint.failingSince === undefined) {
      await this.updateFields(endpoint.id, { failingSince: now }, [], {
        expression: 'attribute_not_exists(failingSince)',
        values: {},
      }).catch(() => undefined);
      return false;
    }
    if (endpoint.enabled && now - endpoint.failingSince >= FAILING_DISABLE_AFTER_MS) {
      await this.setEnabled(endpoint.id, false, 'failing');
      return true;
    }
    return false;
  }
}
