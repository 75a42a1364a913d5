import * as z from 'zod';
import { orderSchema } from '../../core/order';
import { SCOPES } from '../../core/scopes';
import { contract, type RouteFamily } from '../http/route';
import { AUTH_ERRORS, idSchema, MUTATION_ERRORS, problemSchema } from '../schemas';
import { CheckoutService } from '../services/checkout';

export const checkoutContracts = {
  checkout: contract({
    method: 'post',
    path: '/v1/checkout',
    operationId: 'checkout',
    summary: 'Turn a cart into an order (reserve stock, authorize payment, place order)',
    tag: 'checkout',
    scope: SCOPES.checkout,
    mutating: true,
    body: z.strictObject({
      cartId: idSchema,
      paymentMethod: z
        .string()
        .regex(/^pm_[A-Za-z0-9_]{1,60}$/, 'must be a payment-method token such as pm_card_ok')
        .default('pm_card_ok'),
    }),
    responses: {
      201: { description: 'The order was placed', schema: orderSchema.meta({ id: 'Order' }) },
      ...AUTH_ERRORS,
      ...MUTATION_ERRORS,
      402: { description: 'The payment was declined (stock released)', schema: problemSchema },
      404: { description: 'No such cart', schema: problemSchema },
      503: {
        description: 'The payment provider is unavailable (stock released); retry',
        schema: problemSchema,
      },
    },
  }),
};

export const checkoutRoutes: RouteFamily<typeof checkoutContracts> = {
  contracts: checkoutContracts,
  bind: (deps) => {
    const checkout = new CheckoutService(deps);
    const created = (order: { id: string }) => ({
      status: 201,
      body: order,
      headers: { Location: `/v1/orders/${order.id}` },
    });
    return {
      checkout: {
        handle: async (ctx) => {
          const order = await checkout.run(
            {
              customerId: ctx.caller.subject,
              idempotencyKey: ctx.idempotencyKey,
              cartId: ctx.body.cartId,
              paymentMethod: ctx.body.paymentMethod,
              correlationId: ctx.correlationId,
              log: ctx.log,
            },
            (mutation, placed) => ctx.commit(mutation, created(placed)),
          );
          return created(order);
        },
      },
    };
  },
};
