import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Customer } from '../core/customer';
import { keys, type TableContext, type TransactWrite } from './table';

/**
 * Customer profiles (personal data). Erasure replaces the profile with a
 * tombstone holding no personal data, so the id cannot be silently reused.
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
    const { Item } = await this.context.documentClient.send(
      new GetCommand({ TableName: this.context.tableName, Key: keys.customer(id), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...customer } = Item;
    return customer as StoredCustomer;
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

  erase(id: string, previousVersion: number, at: string): TransactWrite {
    return {
      Put: {
        TableName: this.context.tableName,
        Item: { ...keys.customer(id), entity: 'customer', id, erased: true, erasedAt: at },
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': previousVersion },
      },
    };
  }
}
