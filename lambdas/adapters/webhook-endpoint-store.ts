import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EndpointConflictError, type EndpointRecord } from '../core/webhooks/endpoint';
import { type DynamoDBDocumentClient, GSI1, keys, type TransactWrite } from './table';
import { TransactionCancelled, transactWrite } from './transaction';

/**
 * Webhook endpoints in the zone's single table: `keys.webhookEndpoint(id)`, listed in the gsi1 partition
 * `keys.webhookEndpointsIndex`. The table is per zone and replicated, so endpoints follow the zone's data;
 * secrets are stored with the item (the table is encrypted at rest with the zone's key).
 * Every change is a Put conditional on the revision it was computed from (optimistic concurrency).
 */

const ENTITY = 'webhook_endpoint';

function fromItem(item: Record<string, unknown>): EndpointRecord {
  const { pk: _pk, sk: _sk, entity: _e, gsi1pk: _g, gsi1sk: _s, ...record } = item;
  return record as unknown as EndpointRecord;
}

export interface EndpointStoreOptions {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
}

export class EndpointStore {
  constructor(private readonly options: EndpointStoreOptions) {}

  /** The write storing `record`, conditional on `before`'s revision (or on absence, for a new endpoint). */
  putWrite(record: EndpointRecord, before: EndpointRecord | null): TransactWrite {
    return {
      Put: {
        TableName: this.options.tableName,
        Item: {
          ...keys.webhookEndpoint(record.id),
          entity: ENTITY,
          gsi1pk: keys.webhookEndpointsIndex,
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

  /** The write deleting `before`, conditional on its revision. */
  deleteWrite(before: EndpointRecord): TransactWrite {
    return {
      Delete: {
        TableName: this.options.tableName,
        Key: keys.webhookEndpoint(before.id),
        ConditionExpression: 'revision = :revision',
        ExpressionAttributeValues: { ':revision': before.revision },
      },
    };
  }

  /** Commits one planned write on its own; `EndpointConflictError` when the endpoint changed meanwhile. */
  async apply(write: TransactWrite): Promise<void> {
    try {
      await transactWrite({ documentClient: this.options.documentClient }, [write]);
    } catch (error) {
      if (error instanceof TransactionCancelled) {
        throw new EndpointConflictError('the webhook endpoint changed meanwhile; re-read it and retry');
      }
      throw error;
    }
  }

  /** The full record, secrets included. */
  async get(id: string): Promise<EndpointRecord | undefined> {
    const { Item } = await this.options.documentClient.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: keys.webhookEndpoint(id),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  /** Every endpoint (full records); a zone has tens, not thousands, so one paged query is fine. */
  async listRecords(): Promise<EndpointRecord[]> {
    const records: EndpointRecord[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.options.documentClient.send(
        new QueryCommand({
          TableName: this.options.tableName,
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.webhookEndpointsIndex },
          ExclusiveStartKey,
        }),
      );
      records.push(...(page.Items ?? []).map(fromItem));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return records;
  }

  /** Marks the endpoint failing since `at` unless it already is (no revision bump: never conflicts). */
  markFailingSince(id: string, at: number): Promise<void> {
    return this.healthUpdate(id, 'SET failingSince = :at', 'attribute_not_exists(failingSince)', {
      ':at': at,
    });
  }

  /** Clears the failing mark after a success (no revision bump). */
  clearFailing(id: string): Promise<void> {
    return this.healthUpdate(id, 'REMOVE failingSince', 'attribute_exists(failingSince)');
  }

  /**
   * Health bookkeeping from the dispatcher: plain attribute updates, so they never conflict with an
   * operator's change; a failed condition means someone else already recorded it.
   */
  private async healthUpdate(
    id: string,
    update: string,
    condition: string,
    values: Record<string, unknown> = {},
  ): Promise<void> {
    await this.options.documentClient
      .send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: keys.webhookEndpoint(id),
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(pk) AND ${condition}`,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'ConditionalCheckFailedException') throw error;
      });
  }
}
