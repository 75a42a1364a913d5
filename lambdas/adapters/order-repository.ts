import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../core/order';
import { queryIndexPage } from './cursor';
import { keys, type TableContext, type TransactWrite } from './table';

/** Orders: one item each; gsi1 lists a customer's orders, newest first. */
export class OrderRepository {
  constructor(private readonly context: TableContext) {}

  async get(id: string): Promise<Order | undefined> {
    const { Item } = await this.context.documentClient.send(
      new GetCommand({ TableName: this.context.tableName, Key: keys.order(id), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, gsi1pk: _g, gsi1sk: _s, ...order } = Item;
    return order as Order;
  }

  async listByCustomer(
    customerId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ items: Order[]; nextCursor?: string }> {
    const page = await queryIndexPage(this.context, keys.customerOrdersIndex(customerId), {
      ...options,
      newestFirst: true,
    });
    return {
      ...page,
      items: page.items.map(
        ({ pk: _pk, sk: _sk, entity: _e, gsi1pk: _g, gsi1sk: _s, ...order }) => order as Order,
      ),
    };
  }

  place(order: Order): TransactWrite {
    return {
      Put: {
        TableName: this.context.tableName,
        Item: {
          ...keys.order(order.id),
          entity: 'order',
          gsi1pk: keys.customerOrdersIndex(order.customerId),
          gsi1sk: `${order.placedAt}#${order.id}`,
          ...order,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  cancel(orderId: string, version: number, at: string): TransactWrite {
    return {
      Update: {
        TableName: this.context.tableName,
        Key: keys.order(orderId),
        UpdateExpression: 'SET #status = :cancelled, cancelledAt = :at, version = version + :one',
        ConditionExpression: '#status = :placed AND version = :version',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':cancelled': 'cancelled',
          ':placed': 'placed',
          ':at': at,
          ':one': 1,
          ':version': version,
        },
      },
    };
  }
}
