import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ProblemError } from '../core/errors';
import {
  decide,
  IDEMPOTENCY_LOCK_MS,
  IDEMPOTENCY_RETENTION_SECONDS,
  type IdempotencyRecord,
  type StoredResponse,
} from '../core/idempotency';
import { batchWriteAll } from './batch';
import { epochSeconds, GSI1, keys, type TableContext, type TransactWrite } from './table';

/**
 * Idempotency records in the commerce table. `begin` takes the key with a
 * conditional put (or decides replay / 422 / 409 from the existing record);
 * `completion` is the transaction item that marks it completed together with
 * the business write; `release` frees it after a failure so a retry can run.
 */

export type BeginResult =
  | { readonly kind: 'acquired'; readonly lockToken: string }
  | { readonly kind: 'replay'; readonly response: StoredResponse };

/** gsi1 lists a subject's records, so a GDPR erasure can delete stored responses that hold personal data. */
function bySubject(scope: string, key: string) {
  return { gsi1pk: keys.idempotencyBySubject(scope), gsi1sk: key };
}

export class IdempotencyStore {
  constructor(private readonly context: TableContext) {}

  async begin(scope: string, key: string, fingerprint: string): Promise<BeginResult> {
    const { documentClient, tableName, now } = this.context;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const at = now();
      const lockToken = randomUUID();
      try {
        await documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...keys.idempotency(scope, key),
              ...bySubject(scope, key),
              entity: 'idempotency',
              state: 'in_progress',
              fingerprint,
              lockToken,
              region: this.context.region,
              lockedUntil: at + IDEMPOTENCY_LOCK_MS,
              expiresAt: epochSeconds(at) + IDEMPOTENCY_RETENTION_SECONDS,
            },
            // Free, expired (TTL deletes lazily), a crashed request's lock that ran out, or a lock the zone's
            // other (now fenced) cell held (see core/idempotency.ts decide).
            ConditionExpression:
              'attribute_not_exists(pk) OR expiresAt < :nowSeconds OR (#state = :inProgress AND fingerprint = :fingerprint AND (lockedUntil < :now OR #region <> :region))',
            ExpressionAttributeNames: { '#state': 'state', '#region': 'region' },
            ExpressionAttributeValues: {
              ':nowSeconds': epochSeconds(at),
              ':inProgress': 'in_progress',
              ':now': at,
              ':fingerprint': fingerprint,
              ':region': this.context.region,
            },
          }),
        );
        return { kind: 'acquired', lockToken };
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
      const existing = await this.read(scope, key);
      if (!existing) continue;
      const decision = decide(existing, fingerprint, now(), this.context.region);
      if (decision.kind === 'replay') return decision;
      if (decision.kind === 'reused')
        throw new ProblemError(
          'idempotency_key_reused',
          'this Idempotency-Key was used with a different method, path or body; use a new key',
        );
      if (decision.kind === 'in_use')
        throw new ProblemError(
          'idempotency_key_in_use',
          'the first request with this Idempotency-Key is still running; retry after it finishes',
          {},
          { 'Retry-After': '1' },
        );
    }
    throw new ProblemError('idempotency_key_in_use', 'the Idempotency-Key is contended; retry');
  }

  private async read(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.context.documentClient.send(
      new GetCommand({
        TableName: this.context.tableName,
        Key: keys.idempotency(scope, key),
        ConsistentRead: true,
      }),
    );
    return Item as IdempotencyRecord | undefined;
  }

  /** The transaction item completing the record; fails the transaction if this request lost its lock. */
  completion(
    scope: string,
    key: string,
    lockToken: string,
    fingerprint: string,
    response: StoredResponse,
  ): TransactWrite {
    return {
      Put: {
        TableName: this.context.tableName,
        Item: {
          ...keys.idempotency(scope, key),
          ...bySubject(scope, key),
          entity: 'idempotency',
          state: 'completed',
          fingerprint,
          response,
          expiresAt: epochSeconds(this.context.now()) + IDEMPOTENCY_RETENTION_SECONDS,
        },
        ConditionExpression: 'lockToken = :lockToken',
        ExpressionAttributeValues: { ':lockToken': lockToken },
      },
    };
  }

  /** Stores a completion outside a business transaction (for routes whose success writes nothing else). */
  async complete(
    scope: string,
    key: string,
    lockToken: string,
    fingerprint: string,
    response: StoredResponse,
  ): Promise<void> {
    const { Put } = this.completion(scope, key, lockToken, fingerprint, response);
    await this.context.documentClient.send(new PutCommand(Put!));
  }

  /**
   * Deletes every stored response of a subject except `keepKey` (the erasure
   * request's own). Reads gsi1 (eventually consistent): a record completed
   * in the last moment may survive until its 24 h TTL.
   */
  async forgetSubject(scope: string, keepKey: string): Promise<number> {
    const { documentClient, tableName } = this.context;
    let deleted = 0;
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.idempotencyBySubject(scope) },
          ExclusiveStartKey,
        }),
      );
      const doomed = (page.Items ?? []).filter((item) => item.gsi1sk !== keepKey);
      // Unprocessed deletes are sent again: a record left behind would keep personal data for 24 h.
      await batchWriteAll(
        this.context,
        doomed.map((item) => ({ DeleteRequest: { Key: { pk: item.pk, sk: item.sk } } })),
      );
      deleted += doomed.length;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return deleted;
  }

  async release(scope: string, key: string, lockToken: string): Promise<void> {
    await this.context.documentClient
      .send(
        new DeleteCommand({
          TableName: this.context.tableName,
          Key: keys.idempotency(scope, key),
          ConditionExpression: 'lockToken = :lockToken',
          ExpressionAttributeValues: { ':lockToken': lockToken },
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }
}
