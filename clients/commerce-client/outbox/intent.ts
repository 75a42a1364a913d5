import * as z from 'zod';
import { problemSchema } from '../problem';

/**
 * What a device wants done, kept in its outbox until the API has answered for good.
 *
 * `order`: create a cart, add the lines, check out (three kinds of request, one intent).
 * `request`: any single mutating call (cancel an order, update a profile, ...).
 *
 * `key` is the intent's idempotency key, generated once when the intent is created and stored with
 * it before the first attempt. Every request of the intent carries it (a multi-step intent derives
 * one key per step from it, see idempotency.ts), on every retry and after every restart.
 */

export const INTENT_STATUSES = ['queued', 'sending', 'accepted', 'needs_attention'] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

export const orderLineSchema = z.object({
  productId: z.string().min(1),
  quantity: z.number().int().min(1).max(99),
});

export const orderPayloadSchema = z.object({
  lines: z.array(orderLineSchema).min(1, 'an order needs at least one line'),
  /** ISO 4217 code the cart is priced in; the API decides which it accepts. @default the API's default */
  currency: z.string().length(3).optional(),
  /** @default the API's default */
  paymentMethod: z.string().min(1).optional(),
});
export type OrderPayload = z.infer<typeof orderPayloadSchema>;

export const requestPayloadSchema = z.object({
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']),
  path: z.string().regex(/^\/v1\//, 'path must start with /v1/'),
  body: z.unknown().optional(),
});
export type RequestPayload = z.infer<typeof requestPayloadSchema>;

const common = {
  id: z.string().min(1),
  key: z.string().min(1).max(200),
  status: z.enum(INTENT_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Times the intent was picked up for sending (each may hold several retried requests). */
  sends: z.number().int().min(0),
  /** Why the last send stopped short (offline, 503, ...); cleared on success. */
  lastError: z.string().optional(),
  /** The API's final refusal (status `needs_attention`). */
  problem: problemSchema.optional(),
};

export const orderIntentSchema = z.object({
  ...common,
  kind: z.literal('order'),
  payload: orderPayloadSchema,
  progress: z.object({
    cartId: z.string().optional(),
    linesAdded: z.number().int().min(0),
    /** Carts built again after the API lost the first (see send-intent.ts); part of the step keys. */
    cartRebuilds: z.number().int().min(0).max(1).optional(),
    /**
     * The checkout of the current cart left the device at least once: from then on an order for it may exist
     * in some cell, so the cart is never built again (see send-intent.ts).
     */
    checkoutSent: z.boolean().optional(),
  }),
  result: z.object({ orderId: z.string(), totalMinor: z.number(), currency: z.string() }).optional(),
});

export const requestIntentSchema = z.object({
  ...common,
  kind: z.literal('request'),
  payload: requestPayloadSchema,
  result: z.object({ status: z.number().int(), body: z.unknown() }).optional(),
});

export const intentSchema = z.discriminatedUnion('kind', [orderIntentSchema, requestIntentSchema]);
export type Intent = z.infer<typeof intentSchema>;
export type OrderIntent = z.infer<typeof orderIntentSchema>;
export type RequestIntent = z.infer<typeof requestIntentSchema>;
