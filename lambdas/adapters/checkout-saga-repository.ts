import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CartLine } from '../core/cart';
import type { CheckoutSaga } from '../core/checkout';
import { StockLedger } from './stock-ledger';
import { epochSeconds, GSI1, keys, type TableContext, type TransactWrite } from './table';
import { TransactionCancelled, transactWrite } from './transaction';

/**
 * Checkout sagas: one item per checkout (pk CHECKOUT#<id>), listed while open in a per-region gsi1
 * partition so the sweeper finds the ones its region started and nobody finished.
 */

const SAGA_RETENTION_SECONDS = 7 * 24 * 3600;

/** Another attempt holds this checkout's saga (it is reserved or completed). */
export class SagaAlreadyStarted extends Error {
  override name = 'SagaAlreadyStarted';
  constructor(readonly checkoutId: string) {
    super(`checkout ${checkoutId} is already started`);
  }
}

/** A line asked for more units than the product has in stock; nothing was reserved. */
export class InsufficientStock extends Error {
  override name = 'InsufficientStock';
  constructor(readonly line: CartLine) {
    super(`not enough stock of ${line.productId} for ${line.quantity}`);
  }
}

export class CheckoutSagaRepository {
  private readonly ledger: StockLedger;

  constructor(private readonly context: TableContext) {
    this.ledger = new StockLedger(context);
  }

  async get(checkoutId: string): Promise<CheckoutSaga | undefined> {
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
  async openStartedBefore(cutoff: number, limit: number): Promise<(CheckoutSaga & { startedAt: string })[]> {
    const { Items = [] } = await this.context.documentClient.send(
      new QueryCommand({
        TableName: this.context.tableName,
        IndexName: GSI1,
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

  /**
   * Step 1 of a checkout: the saga item and every line's stock decrement in one transaction (all lines or
   * none). Throws `SagaAlreadyStarted` when another attempt holds the saga, `InsufficientStock` naming the
   * first short line.
   */
  async reserve(saga: CheckoutSaga): Promise<void> {
    // Items: the saga, then per line its counter decrement and its hold (stock-ledger.ts).
    try {
      await transactWrite(this.context, [
        this.startWrite(saga),
        ...saga.lines.flatMap((line) => this.ledger.reserve(line, saga)),
      ]);
    } catch (error) {
      if (!(error instanceof TransactionCancelled)) throw error;
      if (error.conditionFailedIn(0, 1) === 0) throw new SagaAlreadyStarted(saga.checkoutId);
      const short = error.conditionFailedIn(1);
      if (short >= 1) throw new InsufficientStock(saga.lines[Math.floor((short - 1) / 2)]!);
      throw error;
    }
  }

  /**
   * A compensated saga's attempt `attempt` gets a known provider outcome, so a retry takes the next attempt
   * instead of asking again under this one's key (reconciliation does this before voiding its
   * authorization). False when the saga is no longer that compensated attempt: a retry restarted it.
   */
  async settleProviderOutcome(checkoutId: string, attempt: number): Promise<boolean> {
    try {
      await this.context.documentClient.send(
        new UpdateCommand({
          TableName: this.context.tableName,
          Key: keys.checkout(checkoutId),
          UpdateExpression: 'SET providerOutcomeUnknown = :known',
          ConditionExpression: '#state = :compensated AND attempt = :attempt',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':known': false, ':compensated': 'compensated', ':attempt': attempt },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /** The writes that give a reserved saga's units back (with the saga's move to compensated). */
  compensationWrites(saga: CheckoutSaga, providerOutcomeUnknown: boolean): TransactWrite[] {
    return [
      this.compensateWrite(saga.checkoutId, providerOutcomeUnknown),
      ...saga.lines.flatMap((line) => this.ledger.release(line, saga, 'compensated')),
    ];
  }

  /** The writes of the final transaction that keep the saga's units sold (one hold record per line). */
  soldWrites(saga: CheckoutSaga): TransactWrite[] {
    return saga.lines.map((line) => this.ledger.sell(line, saga));
  }

  /** The item that starts (or restarts a compensated) saga; its condition fails if another attempt holds it. */
  startWrite(saga: CheckoutSaga): TransactWrite {
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
  compensateWrite(checkoutId: string, providerOutcomeUnknown: boolean): TransactWrite {
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

  /**
   * The final transaction's saga item: reserved -> completed, with the authorization it completed with.
   * Also passes when the saga is already completed: another run of the same checkout (in the other cell)
   * completed it and its order has not replicated yet; both runs write the same order.
   */
  completeWrite(checkoutId: string, authorizationId: string): TransactWrite {
    return {
      Update: {
        TableName: this.context.tableName,
        Key: keys.checkout(checkoutId),
        UpdateExpression: 'SET #state = :completed, authorizationId = :id REMOVE gsi1pk, gsi1sk',
        ConditionExpression: '#state IN (:reserved, :completed)',
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
