import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Order } from '../core/order';
import { queryIndexPage } from './cursor';
import { keys, type TableContext, type TransactWrite } from './table';

/**
 * Orders: one item each; gsi1 lists a customer's orders, newest first. The item also keeps the checkout
 * attempt that placed it (not part of the API's order), which names the order's stock holds.
 */
function fromItem(item: Record<string, unknown>): { order: Order; checkoutAttempt: number } {
  const { pk: _pk, sk: _sk, entity: _e, gsi1pk: _g, gsi1sk: _s, checkoutAttempt, ...order } = item;
  return { order: order as Order, checkoutAttempt: (checkoutAttempt as number | undefined) ?? 1 };
}

export class OrderRepository {
  constructor(private readonly context: TableContext) {}

  async get(id: string): Promise<Order | undefined> {
    return (await this.getPlaced(id))?.order;
  }

  /** The order and the checkout attempt that placed it. */
  async getPlaced(id: string): Promise<{ order: Order; checkoutAttempt: number } | undefined> {
    const { Item } = await this.context.documentClient.send(
      new GetCommand({ TableName: this.context.tableName, Key: keys.order(id), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
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
      items: page.items.map((item) => fromItem(item).order),
    };
  }

  /** Creates the order (once: a second run of its checkout finds it there). */
  place(order: Order, checkoutAttempt: number): TransactWrite {
    return {
      Put: {
        TableName: this.context.tableName,
        Item: {
          ...keys.order(order.id),
          entity: 'order',
          gsi1pk: keys.customerOrdersIndex(order.customerId),
          gsi1sk: `${order.placedAt}#${order.id}`,
          ...order,
          checkoutAttempt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  /** placed -> cancelled, forward only (the version guards a concurrent change in this cell). */
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
