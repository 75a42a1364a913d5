import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Cart } from '../core/cart';
import { keys, type TableContext, type TransactWrite } from './table';

/** Carts: one item each; writes are optimistic on `version` so concurrent edits never lose a line. */
export class CartRepository {
  constructor(private readonly context: TableContext) {}

  async get(id: string): Promise<Cart | undefined> {
    const { Item } = await this.context.documentClient.send(
      new GetCommand({ TableName: this.context.tableName, Key: keys.cart(id), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, entity: _entity, ...cart } = Item;
    return cart as Cart;
  }

  /** Creates (`previousVersion` undefined) or replaces the cart version it was read at. */
  save(cart: Cart, previousVersion?: number): TransactWrite {
    return {
      Put: {
        TableName: this.context.tableName,
        Item: { ...keys.cart(cart.id), entity: 'cart', ...cart },
        ...(previousVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: 'version = :version',
              ExpressionAttributeValues: { ':version': previousVersion },
            }),
      },
    };
  }

  /**
   * open -> checked out by `checkoutId`. Also true when that same checkout already did it (its other run,
   * in the other cell, whose order has not replicated yet): the two runs converge on one order.
   */
  markCheckedOut(cartId: string, checkoutId: string, at: string): TransactWrite {
    return {
      Update: {
        TableName: this.context.tableName,
        Key: keys.cart(cartId),
        UpdateExpression:
          'SET #status = :checkedOut, checkoutId = :checkout, updatedAt = :at, version = version + :one',
        ConditionExpression: '#status = :open OR checkoutId = :checkout',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':checkedOut': 'checked_out',
          ':open': 'open',
          ':checkout': checkoutId,
          ':at': at,
          ':one': 1,
        },
      },
    };
  }
}
