import { PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../core/customer';
import { keys, type TableContext, type TransactWrite } from './table';

/**
 * Customer profiles (personal data). Erasure replaces the profile with a
 * tombstone holding no personal data, so the id cannot be silently reused,
 * and writes an erasure marker: an item of its own that only erasure writes.
 * A global table resolves each item by last writer wins, so a profile update
 * acknowledged in the other region during a split can overwrite the tombstone
 * after failback; it can never overwrite the marker. Reads see the marker and
 * answer "erased", profile writes check it is absent, and reconciliation
 * strips any profile that came back (`erasures`).
 */
export type StoredCustomer =
  | Customer
  | { readonly id: string; readonly erased: true; readonly erasedAt: string };

export function isErased(customer: StoredCustomer): customer is Extract<StoredCustomer, { erased: true }> {
  return 'erased' in customer && customer.erased === true;
}

export class CustomerRepository {
  constructor(private readonly context: TableContext) {}

  async get(id: string): Promise<StoredCustomer | undefined> {
    const { Items = [] } = await this.context.documentClient.send(
      new QueryCommand({
        TableName: this.context.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.customer(id).pk },
        ConsistentRead: true,
      }),
    );
    const marker = Items.find((item) => item.sk === keys.customerErasure(id).sk);
    if (marker) return { id, erased: true, erasedAt: marker.erasedAt as string };
    const profile = Items.find((item) => item.sk === keys.customer(id).sk);
    if (!profile) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...customer } = profile;
    return customer as StoredCustomer;
  }

  /** A transaction item that fails when the customer was erased (in any region, once replicated). */
  notErased(id: string): TransactWrite {
    return {
      ConditionCheck: {
        TableName: this.context.tableName,
        Key: keys.customerErasure(id),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  save(customer: Customer, previousVersion?: number): TransactWrite {
    return {
      Put: {
        TableName: this.context.tableName,
        Item: { ...keys.customer(customer.id), entity: 'customer', ...customer },
        ...(previousVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': previousVersion },
            }),
      },
    };
  }

  /** The tombstone over the profile and the erasure marker (unconditional: erasing twice is erasing). */
  erase(id: string, previousVersion: number, at: string): TransactWrite[] {
    return [
      {
        Put: {
          TableName: this.context.tableName,
          Item: this.tombstone(id, at),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': previousVersion },
        },
      },
      {
        Put: {
          TableName: this.context.tableName,
          Item: { ...keys.customerErasure(id), entity: 'customer_erasure', id, erasedAt: at },
        },
      },
    ];
  }

  private tombstone(id: string, at: string) {
    return { ...keys.customer(id), entity: 'customer', id, erased: true, erasedAt: at };
  }

  /**
   * Every erased customer (its erasure marker), and whether its profile item holds personal data again (a
   * profile write from the other side of a split won last-writer-wins over the tombstone). An operator's
   * job: it scans the table.
   */
  async erasures(): Promise<{ id: string; erasedAt: string; profileBack: boolean }[]> {
    const markers = new Map<string, string>();
    const live = new Set<string>();
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.context.documentClient.send(
        new ScanCommand({
          TableName: this.context.tableName,
          FilterExpression: 'entity IN (:customer, :erasure)',
          ExpressionAttributeValues: { ':customer': 'customer', ':erasure': 'customer_erasure' },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.entity === 'customer_erasure') markers.set(item.id as string, item.erasedAt as string);
        else if (item.erased !== true) live.add(item.id as string);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return [...markers].map(([id, erasedAt]) => ({ id, erasedAt, profileBack: live.has(id) }));
  }

  /** Puts the tombstone back over a profile that came back after erasure. */
  async reErase(id: string, erasedAt: string): Promise<void> {
    await this.context.documentClient.send(
      new PutCommand({ TableName: this.context.tableName, Item: this.tombstone(id, erasedAt) }),
    );
  }
}
