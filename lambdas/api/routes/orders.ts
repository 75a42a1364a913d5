import * as z from 'zod';
import { CatalogRepository } from '../../adapters/catalog-repository';
import { OrderRepository } from '../../adapters/order-repository';
import { ProblemError } from '../../core/errors';
import { type Order, orderSchema } from '../../core/order';
import { SCOPES } from '../../core/scopes';
import type { Principal } from '../http/env';
import { contract, type RouteFamily } from '../http/route';
import { PaymentGateway } from '../services/payment-gateway';
import { AUTH_ERRORS, idSchema, MUTATION_ERRORS, pageOf, pageQuerySchema, problemSchema } from '../schemas';

const order = orderSchema.meta({ id: 'Order' });
const orderParams = z.strictObject({ orderId: idSchema });
const NOT_FOUND = { 404: { description: 'No such order (or not yours)', schema: problemSchema } };

export const orderContracts = {
  listOrders: contract({
    method: 'get',
    path: '/v1/orders',
    operationId: 'listOrders',
    summary: 'List the caller’s orders, newest first',
    tag: 'orders',
    scope: SCOPES.orders,
    mutating: false,
    query: pageQuerySchema,
    responses: {
      200: { description: 'A page of orders', schema: pageOf(order, 'OrderPage') },
      ...AUTH_ERRORS,
    },
  }),
  getOrder: contract({
    method: 'get',
    path: '/v1/orders/{orderId}',
    operationId: 'getOrder',
    summary: 'Get one of the caller’s orders',
    tag: 'orders',
    scope: SCOPES.orders,
    mutating: false,
    params: orderParams,
    responses: { 200: { description: 'The order', schema: order }, ...AUTH_ERRORS, ...NOT_FOUND },
  }),
  cancelOrder: contract({
    method: 'post',
    path: '/v1/orders/{orderId}/cancel',
    operationId: 'cancelOrder',
    summary: 'Cancel an order: void the payment authorization and release the stock',
    tag: 'orders',
    scope: SCOPES.orders,
    mutating: true,
    params: orderParams,
    responses: {
      200: { description: 'The cancelled order', schema: order },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      ...NOT_FOUND,
      503: { description: 'The payment provider is unavailable; nothing changed', schema: problemSchema },
    },
  }),
};

export const orderRoutes: RouteFamily<typeof orderContracts> = {
  contracts: orderContracts,
  bind: (deps) => {
    const orders = new OrderRepository(deps.table);
    const catalog = new CatalogRepository(deps.table);
    const payments = new PaymentGateway(deps);

    async function owned(orderId: string, caller: Principal): Promise<Order> {
      const found = await orders.get(orderId);
      if (!found || found.customerId !== caller.subject)
        throw new ProblemError('not_found', `no order ${orderId}`);
      return found;
    }

    return {
      listOrders: {
        handle: async ({ query, caller }) => ({
          status: 200,
          body: await orders.listByCustomer(caller.subject, {
            limit: query.limit,
            ...(query.cursor ? { cursor: query.cursor } : {}),
          }),
          headers: { 'Cache-Control': 'private, no-store' },
        }),
      },
      getOrder: {
        handle: async ({ params, caller }) => ({
          status: 200,
          body: await owned(params.orderId, caller),
          headers: { 'Cache-Control': 'private, no-store' },
        }),
      },
      cancelOrder: {
        handle: async (ctx) => {
          const current = await owned(ctx.params.orderId, ctx.caller);
          if (current.status !== 'placed')
            throw new ProblemError('conflict', `order ${current.id} is ${current.status}`);
          // Voids are idempotent at the provider, so a retry after a crash here voids nothing twice.
          await payments.void(current.authorizationId);
          const cancelledAt = new Date(deps.now()).toISOString();
          const cancelled: Order = {
            ...current,
            status: 'cancelled',
            cancelledAt,
            version: current.version + 1,
          };
          return ctx.commit(
            {
              writes: [
                orders.cancel(current.id, current.version, cancelledAt),
                ...current.lines.map((line) => catalog.releaseStock(line.productId, line.quantity)),
              ],
              events: [
                {
                  eventType: 'order.v1.cancelled',
                  aggregate: { type: 'order', id: current.id, version: cancelled.version },
                  data: { orderId: current.id, customerId: current.customerId, lines: current.lines },
                },
              ],
              audit: {
                actor: ctx.caller.subject,
                action: 'order.cancel',
                resource: { type: 'order', id: current.id },
                outcome: 'success',
                before: { status: current.status },
                after: { status: cancelled.status },
              },
              onConditionFailed: () => new ProblemError('conflict', `order ${current.id} changed; reload it`),
            },
            { status: 200, body: cancelled },
          );
        },
      },
    };
  },
};
