import { GetCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CartLine } from '../core/cart';
import { orderIdFor } from '../core/checkout';
import { type HoldGroup, type HoldState, holdIsActive, isSuperseded, mergeHoldStates } from '../core/stock';
import { keys, type TableContext, type TransactWrite } from './table';

/**
 * Stock that survives a split. A product's `stock` (what the API shows and what a reservation's condition
 * checks) is a counter, and a global table resolves a counter written in both regions by last writer wins:
 * decrements acknowledged on both sides of a split would be lost. So every change of the counter is written
 * together with a hold record that only its own region writes (`keys.stockHold`: product, checkout,
 * attempt, region), in the same transaction: a hold is created `held` by a reservation, marked `sold` by the
 * order, `compensated` by a failed checkout and `cancelled` by a cancelled order. Hold records never
 * conflict (one writer each), so after a split both regions hold all of them, and the counter is recomputed
 * as `received` minus the units of every active hold group, a group its checkout's order does not name
 * (the same intent sold under two attempts during a split) excepted (core/stock.ts). Promotion and failback recompute
 * (reconciliation); in between, the writer's counter and its ledger move together.
 */
export interface HoldRef {
  readonly checkoutId: string;
  readonly attempt: number;
}

export class StockLedger {
  constructor(private readonly context: TableContext) {}

  private holdPut(
    line: Pick<CartLine, 'productId' | 'quantity'>,
    ref: HoldRef,
    state: HoldState,
    authorizationId?: string,
  ): TransactWrite {
    return {
      Put: {
        TableName: this.context.tableName,
        Item: {
          ...keys.stockHold(line.productId, ref.checkoutId, ref.attempt, this.context.region),
          entity: 'stock_hold',
          productId: line.productId,
          checkoutId: ref.checkoutId,
          attempt: ref.attempt,
          region: this.context.region,
          quantity: line.quantity,
          state,
          ...(authorizationId ? { authorizationId } : {}),
          at: new Date(this.context.now()).toISOString(),
        },
      },
    };
  }

  /** Takes the line's units (the condition keeps stock from going negative) and records the hold. */
  reserve(line: CartLine, ref: HoldRef): TransactWrite[] {
    return [
      {
        Update: {
          TableName: this.context.tableName,
          Key: keys.product(line.productId),
          UpdateExpression: 'SET stock = stock - :q ADD ledgerSeq :one',
          ConditionExpression: 'stock >= :q',
          ExpressionAttributeValues: { ':q': line.quantity, ':one': 1 },
        },
      },
      this.holdPut(line, ref, 'held'),
    ];
  }

  /** The order placed: the units stay taken for good; the hold records the authorization the order names. */
  sell(line: CartLine, ref: HoldRef & { readonly authorizationId?: string }): TransactWrite {
    return this.holdPut(line, ref, 'sold', ref.authorizationId);
  }

  /** Gives the line's units back: a compensated checkout or a cancelled order. */
  release(line: CartLine, ref: HoldRef, state: 'compensated' | 'cancelled'): TransactWrite[] {
    return [
      {
        Update: {
          TableName: this.context.tableName,
          Key: keys.product(line.productId),
          UpdateExpression: 'SET stock = stock + :q ADD ledgerSeq :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':q': line.quantity, ':one': 1 },
        },
      },
      this.holdPut(line, ref, state),
    ];
  }

  /** Every product that has a ledger (`received`): what reconciliation recomputes. An operator's scan. */
  async productIds(): Promise<string[]> {
    const ids: string[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.context.documentClient.send(
        new ScanCommand({
          TableName: this.context.tableName,
          FilterExpression: 'entity = :product AND attribute_exists(received)',
          ExpressionAttributeValues: { ':product': 'product' },
          ProjectionExpression: 'id',
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) ids.push(item.id as string);
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return ids.sort();
  }

  /** Every hold group of a product, its regions' states merged (core/stock.ts). */
  async holdGroups(productId: string): Promise<HoldGroup[]> {
    const groups = new Map<
      string,
      { ref: HoldRef; quantity: number; states: HoldState[]; authorizationId?: string }
    >();
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.context.documentClient.send(
        new QueryCommand({
          TableName: this.context.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :holds)',
          ExpressionAttributeValues: { ':pk': keys.product(productId).pk, ':holds': keys.stockHoldPrefix },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const ref = { checkoutId: item.checkoutId as string, attempt: item.attempt as number };
        const id = `${ref.checkoutId}#${ref.attempt}`;
        const group = groups.get(id) ?? { ref, quantity: item.quantity as number, states: [] };
        group.states.push(item.state as HoldState);
        if (typeof item.authorizationId === 'string') group.authorizationId = item.authorizationId;
        groups.set(id, group);
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return [...groups.values()].map(({ ref, quantity, states, authorizationId }) => ({
      ...ref,
      productId,
      quantity,
      state: mergeHoldStates(states),
      ...(authorizationId ? { authorizationId } : {}),
    }));
  }

  /**
   * The sold groups of checkouts sold under two attempts that their merged order does not name
   * (core/stock.ts `isSuperseded`). Only checkouts with more than one sold group are looked up.
   */
  private async superseded(groups: readonly HoldGroup[]): Promise<HoldGroup[]> {
    const soldAttempts = new Map<string, number>();
    for (const g of groups)
      if (g.state === 'sold') soldAttempts.set(g.checkoutId, (soldAttempts.get(g.checkoutId) ?? 0) + 1);
    const superseded: HoldGroup[] = [];
    for (const [checkoutId, sold] of soldAttempts) {
      if (sold < 2) continue;
      const { Item } = await this.context.documentClient.send(
        new GetCommand({
          TableName: this.context.tableName,
          Key: keys.order(orderIdFor(checkoutId)),
          ConsistentRead: true,
          ProjectionExpression: 'checkoutAttempt',
        }),
      );
      const orderAttempt = typeof Item?.checkoutAttempt === 'number' ? Item.checkoutAttempt : undefined;
      superseded.push(...groups.filter((g) => g.checkoutId === checkoutId && isSuperseded(g, orderAttempt)));
    }
    return superseded;
  }

  /**
   * Sets the product's counter to what its ledger says: `received` minus the units of its active holds,
   * never below 0 (`oversold` says by how much the split sold more than there was). Safe while the cell
   * serves: every counter change also bumps `ledgerSeq`, and the new counter is written only if no change
   * happened since the ledger was read (else read again). Undefined for a product without a ledger.
   * Also returns the superseded groups and the compensated ones (attempts that never sold), whose
   * authorizations reconciliation voids.
   */
  async recompute(
    productId: string,
  ): Promise<
    | { before: number; after: number; oversold: number; superseded: HoldGroup[]; compensated: HoldGroup[] }
    | undefined
  > {
    for (let attempt = 1; attempt <= RECOMPUTE_ATTEMPTS; attempt++) {
      const { Item } = await this.context.documentClient.send(
        new GetCommand({
          TableName: this.context.tableName,
          Key: keys.product(productId),
          ConsistentRead: true,
        }),
      );
      if (Item?.received === undefined) return undefined;
      const groups = await this.holdGroups(productId);
      const superseded = await this.superseded(groups);
      const taken = groups
        .filter((g) => holdIsActive(g.state) && !superseded.includes(g))
        .reduce((sum, g) => sum + g.quantity, 0);
      const due = (Item.received as number) - taken;
      const before = Item.stock as number;
      const seq = Item.ledgerSeq as number | undefined;
      try {
        await this.context.documentClient.send(
          new UpdateCommand({
            TableName: this.context.tableName,
            Key: keys.product(productId),
            UpdateExpression: 'SET stock = :stock',
            ConditionExpression: seq === undefined ? 'attribute_not_exists(ledgerSeq)' : 'ledgerSeq = :seq',
            ExpressionAttributeValues: {
              ':stock': Math.max(0, due),
              ...(seq === undefined ? {} : { ':seq': seq }),
            },
          }),
        );
        const compensated = groups.filter((g) => g.state === 'compensated');
        return { before, after: Math.max(0, due), oversold: Math.max(0, -due), superseded, compensated };
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        // A reservation or release moved the counter meanwhile: read the ledger again.
      }
    }
    throw new Error(
      `stock of ${productId} kept changing during ${RECOMPUTE_ATTEMPTS} recomputations; run reconciliation again`,
    );
  }
}

const RECOMPUTE_ATTEMPTS = 5;
