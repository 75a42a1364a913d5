import { CartRepository } from '../../adapters/cart-repository';
import {
  CheckoutSagaRepository,
  InsufficientStock,
  SagaAlreadyStarted,
} from '../../adapters/checkout-saga-repository';
import type { Mutation } from '../../adapters/mutation';
import { OrderRepository } from '../../adapters/order-repository';
import { type Cart, cartTotal } from '../../core/cart';
import { type CheckoutSaga, checkoutIdFor, orderIdFor, providerKeyFor } from '../../core/checkout';
import { isProblemError, ProblemError } from '../../core/errors';
import type { Order } from '../../core/order';
import type { ResolvedDependencies } from '../dependencies';
import type { RequestLogger } from '../http/env';
import { compensateCheckout } from './checkout-compensation';
import { PaymentGateway, PaymentUnavailableProblem } from './payment-gateway';

/**
 * The checkout saga: reserve stock -> authorize payment -> place order.
 * Its state lives in a saga item whose id derives from (customer,
 * Idempotency-Key), so a retry after a crash at any step resumes the same
 * saga: stock is reserved once (the reservation and the saga item are one
 * transaction), the provider dedupes the authorization by its key (checkout
 * id + attempt), and the order item is created at most once in the final
 * transaction (with the saga's completion and authorization id, the outbox
 * event, the audit entry and the idempotency completion). A crash between
 * authorizing and placing leaves the saga `reserved`; the retry authorizes
 * again under the same key and gets the same authorization back.
 * Failures after the reservation compensate: void the authorization, release the stock.
 * A provider timeout leaves the authorization's fate unknown, so the retry
 * keeps the provider key and finds a late authorization instead of adding one.
 * Round trips on the first attempt: the key, the saga and cart (read together),
 * the reservation, the final transaction's chain head, the final transaction.
 */

/** One customer's request to turn a cart into an order, under one Idempotency-Key. */
export interface CheckoutIntent {
  readonly customerId: string;
  readonly idempotencyKey: string;
  readonly cartId: string;
  readonly paymentMethod: string;
  readonly correlationId: string;
  readonly log: RequestLogger;
}

/**
 * Commits the final transaction (`mutation`) together with the request's idempotency completion, which
 * records `order` as the answer; supplied by the caller, who knows how the answer is represented.
 */
export type PlaceOrder = (
  mutation: Omit<Mutation, 'completion' | 'correlationId'>,
  order: Order,
) => Promise<unknown>;

/** Voided attempts one request moves past before it gives up (reconciliation voids at most one per run). */
const MAX_SPENT_ATTEMPTS = 3;

/** The final transaction found the order there: another run of the same checkout placed it. */
class OrderAlreadyPlaced extends Error {
  override name = 'OrderAlreadyPlaced';
}

export class CheckoutService {
  private readonly carts: CartRepository;
  private readonly sagas: CheckoutSagaRepository;
  private readonly orders: OrderRepository;
  private readonly payments: PaymentGateway;

  constructor(private readonly deps: ResolvedDependencies) {
    this.carts = new CartRepository(deps.table);
    this.sagas = new CheckoutSagaRepository(deps.table);
    this.orders = new OrderRepository(deps.table);
    this.payments = new PaymentGateway(deps);
  }

  /** Runs (or resumes) the checkout of `intent`; resolves with its order. */
  async run(intent: CheckoutIntent, placeOrder: PlaceOrder): Promise<Order> {
    const checkoutId = checkoutIdFor(intent.customerId, intent.idempotencyKey);
    await this.deps.checkoutHook?.('started');
    // The first attempt (the common case) needs both; a retry reads the cart for nothing.
    const [found, cart] = await Promise.all([this.sagas.get(checkoutId), this.carts.get(intent.cartId)]);
    let saga = found;
    if (saga) {
      // A retry: the order may exist already, placed by this checkout's run in this cell or (before a
      // failover) in the other one, even while the saga item here still says `reserved`.
      const order = await this.orders.get(orderIdFor(checkoutId));
      if (order) return order;
    }
    if (!saga || saga.state === 'compensated') {
      const attempt = !saga ? 1 : saga.providerOutcomeUnknown ? saga.attempt : saga.attempt + 1;
      saga = await this.reserve(checkoutId, intent, cart, attempt);
    }
    await this.deps.checkoutHook?.('reserved');

    let authorizationId = await this.authorize(saga, intent);
    for (let spent = 1; authorizationId === undefined; spent++) {
      // Reconciliation voided this attempt's authorization while nobody ran it: the attempt is spent and
      // compensated, and the next one asks the provider afresh (never placing an order on a voided one).
      if (spent > MAX_SPENT_ATTEMPTS)
        throw new Error(`checkout ${checkoutId}: ${MAX_SPENT_ATTEMPTS} attempts in a row were voided`);
      saga = await this.reserve(checkoutId, intent, cart, saga.attempt + 1);
      authorizationId = await this.authorize(saga, intent);
    }
    const authorized: CheckoutSaga = { ...saga, authorizationId };
    await this.deps.checkoutHook?.('authorized');

    const order = await this.place(authorized, intent, placeOrder);
    await this.deps.checkoutHook?.('placed');
    return order;
  }

  private ownedOpenCart(intent: CheckoutIntent, cart: Cart | undefined, checkoutId: string): Cart {
    const { cartId } = intent;
    if (!cart || cart.customerId !== intent.customerId)
      throw new ProblemError('not_found', `no cart ${cartId}`);
    // Checked out by this same checkout (its run in the other cell): the runs converge on one order.
    if (cart.status !== 'open' && cart.checkoutId !== checkoutId)
      throw new ProblemError('conflict', `cart ${cartId} is already checked out`);
    if (cart.lines.length === 0) throw new ProblemError('cart_empty', `cart ${cartId} has no line items`);
    return cart;
  }

  /** Step 1: the saga item and every stock decrement in one transaction (all lines or none). */
  private async reserve(
    checkoutId: string,
    intent: CheckoutIntent,
    cartAsRead: Cart | undefined,
    attempt: number,
  ): Promise<CheckoutSaga> {
    const cart = this.ownedOpenCart(intent, cartAsRead, checkoutId);
    const saga: CheckoutSaga = {
      checkoutId,
      state: 'reserved',
      cartId: intent.cartId,
      currency: cart.currency,
      lines: cart.lines,
      attempt,
    };
    try {
      await this.sagas.reserve(saga);
      return saga;
    } catch (error) {
      if (error instanceof SagaAlreadyStarted) {
        const current = await this.sagas.get(checkoutId);
        if (current && current.state !== 'compensated') return current;
      }
      if (error instanceof InsufficientStock) {
        throw new ProblemError('insufficient_stock', error.message, { productId: error.line.productId });
      }
      throw error;
    }
  }

  /**
   * Step 2: authorize with the checkout id (+ attempt) as the provider's idempotency key. Not recorded
   * on its own: the final transaction records it, and a retry after a crash gets the same one back.
   * Undefined when the provider answers that the key's authorization was voided: the attempt is then
   * compensated (outcome known), and the caller takes the next one.
   */
  private async authorize(saga: CheckoutSaga, intent: CheckoutIntent): Promise<string | undefined> {
    let result: Awaited<ReturnType<PaymentGateway['authorize']>>;
    try {
      result = await this.payments.authorize({
        idempotencyKey: providerKeyFor(saga),
        customerId: intent.customerId,
        amount: cartTotal(saga.lines),
        currency: saga.currency,
        paymentMethod: intent.paymentMethod,
      });
    } catch (error) {
      // After a timeout the provider may still authorize: the next attempt asks again under this key.
      const outcomeUnknown = error instanceof PaymentUnavailableProblem && error.outcomeUnknown;
      await this.compensate(saga, undefined, intent, 'payment_unavailable', outcomeUnknown);
      throw error;
    }
    if (result.status === 'declined') {
      await this.compensate(saga, undefined, intent, 'payment_declined');
      throw new ProblemError('payment_declined', `the payment was declined (${result.reason})`, {
        reason: result.reason,
      });
    }
    if (result.status === 'voided') {
      await this.compensate(saga, undefined, intent, 'authorization_voided');
      return undefined;
    }
    return result.authorizationId;
  }

  /** Step 3: order, saga completion, cart checkout, event, audit and idempotency completion: one transaction. */
  private async place(saga: CheckoutSaga, intent: CheckoutIntent, placeOrder: PlaceOrder): Promise<Order> {
    const order: Order = {
      id: orderIdFor(saga.checkoutId),
      customerId: intent.customerId,
      cartId: saga.cartId,
      status: 'placed',
      lines: [...saga.lines],
      totalMinor: cartTotal(saga.lines),
      currency: saga.currency,
      authorizationId: saga.authorizationId!,
      placedAt: new Date(this.deps.now()).toISOString(),
      version: 1,
    };
    try {
      await placeOrder(
        {
          writes: [
            this.orders.place(order, saga.attempt),
            this.sagas.completeWrite(saga.checkoutId, order.authorizationId),
            this.carts.markCheckedOut(saga.cartId, saga.checkoutId, order.placedAt),
            ...this.sagas.soldWrites(saga),
          ],
          events: [
            {
              eventType: 'order.v1.placed',
              aggregate: { type: 'order', id: order.id, version: 1 },
              data: {
                orderId: order.id,
                customerId: order.customerId,
                lines: order.lines,
                totalMinor: order.totalMinor,
                currency: order.currency,
              },
            },
          ],
          audit: {
            actor: intent.customerId,
            action: 'order.place',
            resource: { type: 'order', id: order.id },
            outcome: 'success',
            after: { status: order.status, totalMinor: order.totalMinor, lines: order.lines.length },
            context: { cartId: saga.cartId, checkoutId: saga.checkoutId },
          },
          onConditionFailed: (index) =>
            index === 0
              ? new OrderAlreadyPlaced()
              : new ProblemError(
                  'conflict',
                  index === 2
                    ? `cart ${saga.cartId} was checked out by another request`
                    : 'the checkout already completed',
                ),
        },
        order,
      );
      return order;
    } catch (error) {
      if (error instanceof OrderAlreadyPlaced) {
        // Another run of this checkout placed it (a concurrent retry, or the other cell's run that has
        // just replicated): that order is the answer, nothing runs twice.
        const placed = await this.orders.get(order.id);
        if (placed) return placed;
      }
      if (isProblemError(error) && error.code === 'conflict') {
        const current = await this.sagas.get(saga.checkoutId);
        if (current?.state === 'reserved')
          await this.compensate(current, saga.authorizationId, intent, 'cart_conflict');
        // If the sweeper gave this checkout up meanwhile (compensated, provider outcome unknown), the
        // authorization stays: a retry asks under the same provider key and gets it back.
      }
      throw error;
    }
  }

  /** Releases the reserved stock (and voids the authorization) exactly once: guarded by the saga state. */
  private async compensate(
    saga: CheckoutSaga,
    authorizationId: string | undefined,
    intent: CheckoutIntent,
    reason: string,
    providerOutcomeUnknown = false,
  ): Promise<void> {
    if (authorizationId) await this.voidQuietly(authorizationId, intent.log);
    await compensateCheckout(this.deps.table, saga, {
      correlationId: intent.correlationId,
      actor: intent.customerId,
      reason,
      providerOutcomeUnknown,
    });
  }

  private async voidQuietly(authorizationId: string, log: RequestLogger): Promise<void> {
    await this.payments.void(authorizationId).catch((error: Error) =>
      log.error('void failed; the authorization will lapse at the provider', {
        authorizationId,
        error: error.message,
      }),
    );
  }
}
