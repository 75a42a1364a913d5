import { ulid } from 'ulid';
import type { TransactWrite } from '../adapters/table';
import type { DynamoDBDocumentClient } from '../adapters/table';
import { EndpointStore } from '../adapters/webhook-endpoint-store';
import {
  type CreateEndpointInput,
  createEndpointSchema,
  type DisabledReason,
  EndpointConflictError,
  EndpointNotFoundError,
  type EndpointRecord,
  matchesEventType,
  newEndpointRecord,
  type PublicEndpoint,
  revised,
  rotatedSecrets,
  shouldDisableFailing,
  toPublicEndpoint,
  type UpdateEndpointInput,
  updateEndpointSchema,
} from '../core/webhooks/endpoint';
import { generateSecret } from './signature';
import { assertSafeUrl, type NetworkMode, type Resolver } from './ssrf';

/**
 * The webhook endpoint service: validates changes (URL safety, event-type filters), plans them with the
 * domain rules of core/webhooks/endpoint.ts and stores them through adapters/webhook-endpoint-store.ts.
 * Changes are planned (`plan*`: read, validate, compute the next record and one conditional write) and then
 * either committed by the caller with its own items (the API commits them with the audit entry and the
 * idempotency completion) or applied here (`create`, `update`, ...).
 */

/**
 * A planned change: the write to commit, and the record before/after (for the audit entry; never log
 * them, they hold secrets: use toPublicEndpoint).
 */
export interface EndpointChange {
  readonly before: EndpointRecord | null;
  readonly after: EndpointRecord | null;
  readonly write: TransactWrite;
}

export interface EndpointRegistryOptions {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  /** cloud refuses loopback/private/link-local/metadata URLs; local allows the local sink only. */
  readonly mode: NetworkMode;
  readonly resolve?: Resolver;
  readonly now?: () => number;
}

export class EndpointRegistry {
  private readonly now: () => number;
  private readonly store: EndpointStore;

  constructor(private readonly options: EndpointRegistryOptions) {
    this.now = options.now ?? Date.now;
    this.store = new EndpointStore(options);
  }

  private async checkUrl(url: string): Promise<void> {
    await assertSafeUrl(url, {
      mode: this.options.mode,
      ...(this.options.resolve ? { resolve: this.options.resolve } : {}),
    });
  }

  private async require(id: string): Promise<EndpointRecord> {
    const record = await this.store.get(id);
    if (!record) throw new EndpointNotFoundError(`webhook endpoint ${id} not found`);
    return record;
  }

  private change(
    before: EndpointRecord,
    fields: Partial<EndpointRecord>,
    remove: readonly (keyof EndpointRecord)[] = [],
  ): EndpointChange {
    const after = revised(before, fields, new Date(this.now()).toISOString(), remove);
    return { before, after, write: this.store.putWrite(after, before) };
  }

  async planCreate(input: CreateEndpointInput): Promise<{ change: EndpointChange; secret: string }> {
    const parsed = createEndpointSchema.parse(input);
    await this.checkUrl(parsed.url);
    const now = this.now();
    const secret = generateSecret();
    const record = newEndpointRecord(parsed, {
      id: `ep_${ulid(now)}`,
      secret,
      at: new Date(now).toISOString(),
    });
    return { change: { before: null, after: record, write: this.store.putWrite(record, null) }, secret };
  }

  async planUpdate(id: string, patch: UpdateEndpointInput): Promise<EndpointChange> {
    const parsed = updateEndpointSchema.parse(patch);
    if (parsed.url !== undefined) await this.checkUrl(parsed.url);
    const fields = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined));
    return this.change(await this.require(id), fields);
  }

  async planSetEnabled(
    id: string,
    enabled: boolean,
    reason: DisabledReason = 'operator',
  ): Promise<EndpointChange> {
    const before = await this.require(id);
    return enabled
      ? this.change(before, { enabled: true }, ['disabledReason', 'failingSince'])
      : this.change(before, { enabled: false, disabledReason: reason });
  }

  /** A new current secret; the previous ones keep signing for 24 h. The secret is returned once. */
  async planRotate(id: string): Promise<{ change: EndpointChange; secret: string }> {
    const before = await this.require(id);
    const secret = generateSecret();
    return { change: this.change(before, { secrets: rotatedSecrets(before, secret, this.now()) }), secret };
  }

  async planDelete(id: string): Promise<EndpointChange> {
    const before = await this.require(id);
    return { before, after: null, write: this.store.deleteWrite(before) };
  }

  /** Applies a planned change on its own. Throws EndpointConflictError when the endpoint changed meanwhile. */
  apply(change: EndpointChange): Promise<void> {
    return this.store.apply(change.write);
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
  get(id: string): Promise<EndpointRecord | undefined> {
    return this.store.get(id);
  }

  async getPublic(id: string): Promise<PublicEndpoint> {
    return toPublicEndpoint(await this.require(id), this.now());
  }

  /** Every endpoint (full records, secrets included). */
  listRecords(): Promise<EndpointRecord[]> {
    return this.store.listRecords();
  }

  async list(): Promise<PublicEndpoint[]> {
    const now = this.now();
    return (await this.store.listRecords()).map((record) => toPublicEndpoint(record, now));
  }

  /** Enabled endpoints subscribed to `eventType`. */
  async subscribersOf(eventType: string): Promise<EndpointRecord[]> {
    return (await this.store.listRecords()).filter((e) => e.enabled && matchesEventType(e, eventType));
  }

  /** A delivery succeeded: the endpoint is healthy again. Writes only when it was failing. */
  async recordSuccess(endpoint: EndpointRecord): Promise<void> {
    if (endpoint.failingSince === undefined) return;
    await this.store.clearFailing(endpoint.id);
  }

  /**
   * A delivery attempt failed. Returns true when this failure disabled the endpoint because it has been
   * failing for 5 days without a success.
   */
  async recordFailure(endpoint: EndpointRecord): Promise<boolean> {
    const now = this.now();
    if (endpoint.failingSince === undefined) {
      await this.store.markFailingSince(endpoint.id, now);
      return false;
    }
    if (shouldDisableFailing(endpoint, now)) {
      await this.setEnabled(endpoint.id, false, 'failing');
      return true;
    }
    return false;
  }
}
