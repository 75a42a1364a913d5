import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { CartRepository } from '../../adapters/cart-repository';
import { CatalogRepository } from '../../adapters/catalog-repository';
import { type Cart, CartRuleError, cartSchema, cartTotal, quantityOf, withQuantity } from '../../core/cart';
import { productIdSchema } from '../../core/catalog';
import { ProblemError } from '../../core/errors';
import { SCOPES } from '../../core/scopes';
import type { Principal } from '../http/env';
import { contract, type RouteContext, type RouteFamily } from '../http/route';
import { AUTH_ERRORS, idSchema, MUTATION_ERRORS, problemSchema } from '../schemas';

const nextId = monotonicFactory();
const cart = cartSchema.meta({ id: 'Cart' });
const cartParams = z.strictObject({ cartId: idSchema });
const lineParams = z.strictObject({ cartId: idSchema, productId: productIdSchema });
const NOT_FOUND = { 404: { description: 'No such cart (or not yours)', schema: problemSchema } };

/** A cart's audit view: which products in what quantity (the owner is the audit actor). */
function auditView(value: Cart) {
  return {
    status: value.status,
    version: value.version,
    lines: value.lines.map((l) => [l.productId, l.quantity]),
  };
}

const ERRORS = { ...AUTH_ERRORS, ...MUTATION_ERRORS, ...NOT_FOUND };

export const cartContracts = {
  createCart: contract({
    method: 'post',
    path: '/v1/carts',
    operationId: 'createCart',
    summary: 'Create a cart for the caller',
    tag: 'carts',
    scope: SCOPES.carts,
    mutating: true,
    body: z.strictObject({ currency: z.enum(['EUR', 'USD']).default('EUR') }).optional(),
    responses: { 201: { description: 'The new cart', schema: cart }, ...AUTH_ERRORS, ...MUTATION_ERRORS },
  }),
  getCart: contract({
    method: 'get',
    path: '/v1/carts/{cartId}',
    operationId: 'getCart',
    summary: 'Get one of the caller’s carts',
    tag: 'carts',
    scope: SCOPES.carts,
    mutating: false,
    params: cartParams,
    responses: { 200: { description: 'The cart', schema: cart }, ...AUTH_ERRORS, ...NOT_FOUND },
  }),
  addCartItem: contract({
    method: 'post',
    path: '/v1/carts/{cartId}/items',
    operationId: 'addCartItem',
    summary: 'Add units of a product to the cart',
    tag: 'carts',
    scope: SCOPES.carts,
    mutating: true,
    params: cartParams,
    body: z.strictObject({ productId: productIdSchema, quantity: z.number().int().min(1).max(99) }),
    responses: { 200: { description: 'The updated cart', schema: cart }, ...ERRORS },
  }),
  setCartItem: contract({
    method: 'put',
    path: '/v1/carts/{cartId}/items/{productId}',
    operationId: 'setCartItem',
    summary: 'Set the quantity of a product in the cart (0 removes it)',
    tag: 'carts',
    scope: SCOPES.carts,
    mutating: true,
    params: lineParams,
    body: z.strictObject({ quantity: z.number().int().min(0).max(99) }),
    responses: { 200: { description: 'The updated cart', schema: cart }, ...ERRORS },
  }),
  removeCartItem: contract({
    method: 'delete',
    path: '/v1/carts/{cartId}/items/{productId}',
    operationId: 'removeCartItem',
    summary: 'Remove a product from the cart',
    tag: 'carts',
    scope: SCOPES.carts,
    mutating: true,
    params: lineParams,
    responses: { 200: { description: 'The updated cart', schema: cart }, ...ERRORS },
  }),
};

export const cartRoutes: RouteFamily<typeof cartContracts> = {
  contracts: cartContracts,
  bind: (deps) => {
    const carts = new CartRepository(deps.table);
    const catalog = new CatalogRepository(deps.table);

    async function ownedOpenCart(cartId: string, caller: Principal): Promise<Cart> {
      const found = await carts.get(cartId);
      if (!found || found.customerId !== caller.subject)
        throw new ProblemError('not_found', `no cart ${cartId}`);
      if (found.status !== 'open')
        throw new ProblemError('conflict', `cart ${cartId} is already checked out`);
      return found;
    }

    /** Sets one line's quantity and commits the new cart version with its event and audit entry. */
    async function changeLine(
      ctx: RouteContext<{ cartId: string }, unknown, unknown>,
      productId: string,
      quantityFor: (current: Cart) => number,
    ) {
      const current = await ownedOpenCart(ctx.params.cartId, ctx.caller);
      const product = await catalog.get(productId);
      if (!product) throw new ProblemError('not_found', `no product ${productId}`);
      let lines: Cart['lines'];
      try {
        lines = withQuantity(current, product, quantityFor(current));
      } catch (error) {
        if (error instanceof CartRuleError) throw new ProblemError('validation_failed', error.message);
        throw error;
      }
      const updated: Cart = {
        ...current,
        lines,
        totalMinor: cartTotal(lines),
        version: current.version + 1,
        updatedAt: new Date(deps.now()).toISOString(),
      };
      return ctx.commit(
        {
          writes: [carts.save(updated, current.version)],
          events: [
            {
              eventType: 'cart.v1.updated',
              aggregate: { type: 'cart', id: updated.id, version: updated.version },
              data: { cartId: updated.id, lines: updated.lines, totalMinor: updated.totalMinor },
            },
          ],
          audit: {
            actor: ctx.caller.subject,
            action: 'cart.update',
            resource: { type: 'cart', id: updated.id },
            outcome: 'success',
            before: auditView(current),
            after: auditView(updated),
          },
        },
        { status: 200, body: updated },
      );
    }

    return {
      createCart: {
        handle: async (ctx) => {
          const at = new Date(deps.now()).toISOString();
          const created: Cart = {
            id: nextId(deps.now()),
            customerId: ctx.caller.subject,
            currency: ctx.body?.currency ?? 'EUR',
            status: 'open',
            lines: [],
            totalMinor: 0,
            version: 1,
            createdAt: at,
            updatedAt: at,
          };
          return ctx.commit(
            {
              writes: [carts.save(created)],
              events: [
                {
                  eventType: 'cart.v1.created',
                  aggregate: { type: 'cart', id: created.id, version: 1 },
                  data: { cartId: created.id, currency: created.currency },
                },
              ],
              audit: {
                actor: ctx.caller.subject,
                action: 'cart.create',
                resource: { type: 'cart', id: created.id },
                outcome: 'success',
                after: auditView(created),
              },
            },
            { status: 201, body: created, headers: { Location: `/v1/carts/${created.id}` } },
          );
        },
      },
      getCart: {
        handle: async ({ params, caller }) => {
          const found = await carts.get(params.cartId);
          if (!found || found.customerId !== caller.subject)
            throw new ProblemError('not_found', `no cart ${params.cartId}`);
          return { status: 200, body: found, headers: { 'Cache-Control': 'private, no-store' } };
        },
      },
      addCartItem: {
        handle: (ctx) =>
          changeLine(
            ctx,
            ctx.body.productId,
            (current) => quantityOf(current, ctx.body.productId) + ctx.body.quantity,
          ),
      },
      setCartItem: { handle: (ctx) => changeLine(ctx, ctx.params.productId, () => ctx.body.quantity) },
      removeCartItem: { handle: (ctx) => changeLine(ctx, ctx.params.productId, () => 0) },
    };
  },
};
