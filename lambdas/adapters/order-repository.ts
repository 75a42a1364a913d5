import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { CartLine } from '../core/cart';
import type { Order } from '../core/order';
import { queryIndexPage } from './cursor';
import { epochSeconds, keys, type TableContext, type TransactWrite } from './table';

/** Orders (gsi1: a customer's orders, newest first) and the checkout saga's state item. */

export type SagaState = 'reserved' | 'completed' | 'compensated';

export interface CheckoutSaga {
  readonly checkoutId: string;
  readonly state: SagaState;
  readonly cartId: string;
  readonly currency: string;
  readonly lines: readonly CartLine[];
  /**
   * Part of the provider's idempotency key. A retry of a compensated checkout takes the next one, so
   * the provider does not replay its earlier failure, unless that failure left the outcome unknown.
   */
  readonly attempt: number;
  /** Set when compensated after a provider timeout: the next attempt asks under the same key. */
  readonly providerOutcomeUnknown?: boolean;
  /** Recorded when the saga completes (with the order), not before. */
  readonly authorizationId?: string;
}

const SAGA_RETENTION_SECONDS = 7 * 24 * 3600;

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

  async getSaga(checkoutId: string): Promise<CheckoutSaga | undefined> {
    const { Item } = await this.context.documentClient.send(
      new GetCommand({
        TableName: this.context.tableName,
        Key: keys.checkout(checkoutId),
        ConsistentRead: true,
      }),
    );
    return Item as CheckoutSaga | undefined;
  }

  /** Sagas this region started that are still reserved and began before `cutoff`, oldest first. */
  async openSagasStartedBefore(
    cutoff: number,
    limit: number,
  ): Promise<(CheckoutSaga & { startedAt: string })[]> {
    const { Items = [] } = await this.context.documentClient.send(
      new QueryCommand({
        TableName: this.context.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :open AND gsi1sk < :cutoff',
        ExpressionAttributeValues: {
          ':open': keys.openCheckoutsIndex(this.context.region),
          ':cutoff': new Date(cutoff).toISOString(),
        },
        Limit: limit,
      }),
    );
    return Items.map((item) => ({
      ...(item as CheckoutSaga),
      startedAt: String(item.gsi1sk).split('#')[0]!,
    }));
  }

  /** Starts (or restarts a compensated) saga; fails if another attempt holds it. */
  startSaga(saga: CheckoutSaga): TransactWrite {
    return {
      Put: {
        TableName: this.context.tableName,
        Item: {
          ...keys.checkout(saga.checkoutId),
          entity: 'checkout',
          ...saga,
          gsi1pk: keys.openCheckoutsIndex(this.context.region),
          gsi1sk: `${new Date(this.context.now()).toISOString()}#${saga.checkoutId}`,
          expiresAt: epochSeconds(this.context.now()) + SAGA_RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #state = :compensated',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':compensated': 'compensated' },
      },
    };
  }

  /** reserved -> compensated, remembering whether the provider's answer was lost (see `attempt`). */
  compensateSaga(checkoutId: string, providerOutcomeUnknown: boolean): TransactWrite {
    return {
      Update: {
        TableName: this.context.tableName,
        Key: keys.checkout(checkoutId),
        UpdateExpression:
          'SET #state = :compensated, providerOutcomeUnknown = :unknown REMOVE gsi1pk, gsi1sk',
        ConditionExpression: '#state = :reserved',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':compensated': 'compensated',
          ':reserved': 'reserved',
          ':unknown': providerOutcomeUnknown,
        },
      },
    };
  }

  /** The final transaction's saga item: reserved -> completed, with the authorization it completed with. */
  completeSaga(checkoutId: string, authorizationId: string): TransactWrite {
    return {
      Update: {
        TableName: this.context.tableName,
        Key: keys.checkout(checkoutId),
        UpdateExpression: 'SET #state = :completed, authorizationId = :id REMOVE gsi1pk, gsi1sk',
        ConditionExpression: '#state = :reserved',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':completed': 'completed',
          ':reserved': 'reserved',
          ':id': authorizationId,
        },
      },
    };
  }
}
