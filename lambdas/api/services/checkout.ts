import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CartRepository } from '../../adapters/cart-repository';
import { CatalogRepository } from '../../adapters/catalog-repository';
import { type CheckoutSaga, OrderRepository } from '../../adapters/order-repository';
import {
  backoff,
  cancellationReasons,
  isConditionFailure,
  isTransientTransactionError,
} from '../../adapters/transaction-errors';
import { sha256Hex } from '../../core/canonical-json';
import type { Cart } from '../../core/cart';
import { isProblemError, ProblemError } from '../../core/errors';
import type { Order } from '../../core/order';
import type { ResolvedDependencies } from '../dependencies';
import type { Principal } from '../http/env';
import type { ApiResult, RouteContext } from '../http/route';
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

export interface CheckoutRequest {
  readonly cartId: string;
  readonly paymentMethod: string;
}

export class CheckoutService {
  private readonly carts: CartRepository;
  private readonly catalog: CatalogRepository;
  private readonly orders: OrderRepository;
  private readonly payments: PaymentGateway;

  constructor(private readonly deps: ResolvedDependencies) {
    this.carts = new CartRepository(deps.table);
    this.catalog = new CatalogRepository(deps.table);
    this.orders = new OrderRepository(deps.table);
    this.payments = new PaymentGateway(deps);
  }

  static checkoutIdFor(customerId: string, idempotencyKey: string): string {
    return sha256Hex(`${customerId}\n${idempotencyKey}`).slice(0, 26);
  }

  async run(
    ctx: RouteContext<unknown, unknown, CheckoutRequest>,
    idempotencyKey: string,
  ): Promise<ApiResult> {
    const checkoutId = CheckoutService.checkoutIdFor(ctx.caller.subject, idempotencyKey);
    await this.deps.checkoutHook?.('started');
    // The first attempt (the common case) needs both; a retry reads the cart for nothing.
    const [found, cart] = await Promise.all([
      this.orders.getSaga(checkoutId),
      this.carts.get(ctx.body.cartId),
    ]);
    let saga = found;
    if (saga?.state === 'completed') {
      const order = await this.orders.get(`ord_${checkoutId}`);
      if (order) return { status: 201, body: order, headers: { Location: `/v1/orders/${order.id}` } };
    }
    if (!saga || saga.state === 'compensated') {
      const attempt = !saga ? 1 : saga.providerOutcomeUnknown ? saga.attempt : saga.attempt + 1;
      saga = await this.reserve(checkoutId, ctx.body.cartId, cart, ctx.caller, attempt);
    }
    await this.deps.checkoutHook?.('reserved');

    const authorizationId = await this.authorize(saga, ctx, checkoutId);
    const authorized: CheckoutSaga = { ...saga, authorizationId };
    await this.deps.checkoutHook?.('authorized');

    const result = await this.place(authorized, ctx, checkoutId);
    await this.deps.checkoutHook?.('placed');
    return result;
  }

  private ownedOpenCart(cartId: string, cart: Cart | undefined, caller: Principal): Cart {
    if (!cart || cart.customerId !== caller.subject) throw new ProblemError('not_found', `no cart ${cartId}`);
    if (cart.status !== 'open') throw new ProblemError('conflict', `cart ${cartId} is already checked out`);
    if (cart.lines.length === 0) throw new ProblemError('cart_empty', `cart ${cartId} has no line items`);
    return cart;
  }

  /** Step 1: the saga item and every stock decrement in one transaction (all lines or none). */
  private async reserve(
    checkoutId: string,
    cartId: string,
    cartAsRead: Cart | undefined,
    caller: Principal,
    attempt: number,
  ): Promise<CheckoutSaga> {
    const cart = this.ownedOpenCart(cartId, cartAsRead, caller);
    const saga: CheckoutSaga = {
      checkoutId,
      state: 'reserved',
      cartId,
      currency: cart.currency,
      lines: cart.lines,
      attempt,
    };
    for (let round = 0; ; round += 1) {
      try {
        await this.deps.table.documentClient.send(
          new TransactWriteCommand({
            TransactItems: [
              this.orders.startSaga(saga),
              ...cart.lines.map((line) => this.catalog.reserveStock(line.productId, line.quantity)),
            ],
          }),
        );
        return saga;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons && isConditionFailure(reasons[0])) {
          const current = await this.orders.getSaga(checkoutId);
          if (current && current.state !== 'compensated') return current;
        }
        const short = reasons?.slice(1).findIndex(isConditionFailure) ?? -1;
        if (short >= 0) {
          const line = cart.lines[short]!;
          throw new ProblemError(
            'insufficient_stock',
            `not enough stock of ${line.productId} for ${line.quantity}`,
            {
              productId: line.productId,
            },
          );
        }
        if (isTransientTransactionError(error) && round < 12) {
          await backoff(round);
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Step 2: authorize with the checkout id (+ attempt) as the provider's idempotency key. Not recorded
   * on its own: the final transaction records it, and a retry after a crash gets the same one back.
   */
  private async authorize(
    saga: CheckoutSaga,
    ctx: RouteContext<unknown, unknown, CheckoutRequest>,
    checkoutId: string,
  ): Promise<string> {
    let result: Awaited<ReturnType<PaymentGateway['authorize']>>;
    try {
      result = await this.payments.authorize({
        idempotencyKey: `${checkoutId}-${saga.attempt}`,
        customerId: ctx.caller.subject,
        amount: saga.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0),
        currency: saga.currency,
        paymentMethod: ctx.body.paymentMethod,
      });
    } catch (error) {
      // After a timeout the provider may still authorize: the next attempt asks again under this key.
      const outcomeUnknown = error instanceof PaymentUnavailableProblem && error.outcomeUnknown;
      await this.compensate(saga, undefined, ctx, 'payment_unavailable', outcomeUnknown);
      throw error;
    }
    if (result.status === 'declined') {
      await this.compensate(saga, undefined, ctx, 'payment_declined');
      throw new ProblemError('payment_declined', `the payment was declined (${result.reason})`, {
        reason: result.reason,
      });
    }
    return result.authorizationId;
  }

  /** Step 3: order, saga completion, cart checkout, event, audit and idempotency completion: one transaction. */
  private async place(
    saga: CheckoutSaga,
    ctx: RouteContext<unknown, unknown, CheckoutRequest>,
    checkoutId: string,
  ): Promise<ApiResult> {
    const order: Order = {
      id: `ord_${checkoutId}`,
      customerId: ctx.caller.subject,
      cartId: saga.cartId,
      status: 'placed',
      lines: [...saga.lines],
      totalMinor: saga.lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0),
      currency: saga.currency,
      authorizationId: saga.authorizationId!,
      placedAt: new Date(this.deps.now()).toISOString(),
      version: 1,
    };
    try {
      return await ctx.commit(
        {
          writes: [
            this.orders.place(order),
            this.orders.completeSaga(checkoutId, order.authorizationId),
            this.carts.markCheckedOut(saga.cartId, order.placedAt),
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
            actor: ctx.caller.subject,
            action: 'order.place',
            resource: { type: 'order', id: order.id },
            outcome: 'success',
            after: { status: order.status, totalMinor: order.totalMinor, lines: order.lines.length },
            context: { cartId: saga.cartId, checkoutId },
          },
          onConditionFailed: (index) =>
            new ProblemError(
              'conflict',
              index === 2
                ? `cart ${saga.cartId} was checked out by another request`
                : 'the checkout already completed',
            ),
        },
        { status: 201, body: order, headers: { Location: `/v1/orders/${order.id}` } },
      );
    } catch (error) {
      if (isProblemError(error) && error.code === 'conflict') {
        const current = await this.orders.getSaga(checkoutId);
        if (current?.state === 'reserved')
          await this.compensate(current, saga.authorizationId, ctx, 'cart_conflict');
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
    ctx: RouteContext<unknown, unknown, CheckoutRequest>,
    reason: string,
    providerOutcomeUnknown = false,
  ): Promise<void> {
    if (authorizationId) await this.voidQuietly(authorizationId, ctx);
    await compensateCheckout(this.deps.table, saga, {
      correlationId: ctx.correlationId,
      actor: ctx.caller.subject,
      reason,
      providerOutcomeUnknown,
    });
  }

  private async voidQuietly(
    authorizationId: string,
    ctx: RouteContext<unknown, unknown, CheckoutRequest>,
  ): Promise<void> {
    await this.payments.void(authorizationId).catch((error: Error) =>
      ctx.log.error('void failed; the authorization will lapse at the provider', {
        authorizationId,
        error: error.message,
      }),
    );
  }
}
