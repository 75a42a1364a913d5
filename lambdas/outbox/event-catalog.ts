import * as z from 'zod';
import { cartLineSchema } from '../core/cart';
import { eventEnvelopeSchema } from '../core/events/envelope';

/**
 * Every event type the system emits, with the schema of its `data`. The
 * committed contracts (contracts/events/*.schema.json, contracts/asyncapi.yaml)
 * are generated from this catalog (contracts/events/write.ts) and a test
 * fails when they drift or when the API emits a type missing here.
 *
 * Data schemas are open (extra fields allowed): adding a field is a
 * compatible change within a version; removing or changing one needs a new
 * version (order.v2.placed). No personal data in events: customers appear by
 * pseudonymous id only.
 */

const lines = z.array(cartLineSchema);

export const EVENT_CATALOG = {
  'cart.v1.created': {
    summary: 'A cart was created.',
    data: z.looseObject({ cartId: z.string(), currency: z.string().length(3) }),
  },
  'cart.v1.updated': {
    summary: "A cart's lines changed.",
    data: z.looseObject({ cartId: z.string(), lines, totalMinor: z.number().int().nonnegative() }),
  },
  'order.v1.placed': {
    summary: 'Checkout placed an order (payment authorised, stock reserved).',
    data: z.looseObject({
      orderId: z.string(),
      customerId: z.string(),
      lines,
      totalMinor: z.number().int().nonnegative(),
      currency: z.string().length(3),
    }),
  },
  'order.v1.cancelled': {
    summary: 'An order was cancelled and its stock released.',
    data: z.looseObject({ orderId: z.string(), customerId: z.string(), lines }),
  },
  'customer.v1.created': {
    summary: 'A customer profile was created (no personal data in the event).',
    data: z.looseObject({
      id: z.string(),
      country: z.string().length(2),
      homeZone: z.string(),
      version: z.number().int(),
    }),
  },
  'customer.v1.updated': {
    summary: 'A customer profile changed; only the names of the changed fields are sent.',
    data: z.looseObject({ id: z.string(), changedFields: z.array(z.string()) }),
  },
  'customer.v1.erased': {
    summary: "A customer's personal data was erased (right to erasure).",
    data: z.looseObject({ id: z.string(), erasedAt: z.iso.datetime() }),
  },
  'cell.v1.drill_changed': {
    summary: "An operator turned a cell's drill flag on or off.",
    data: z.looseObject({ zone: z.string(), region: z.string(), enabled: z.boolean() }),
  },
} as const satisfies Record<string, { summary: string; data: z.ZodType }>;

export type EventType = keyof typeof EVENT_CATALOG;
export const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/** The full envelope schema of one event type. */
export function envelopeSchemaOf(eventType: EventType) {
  return eventEnvelopeSchema.extend({
    eventType: z.literal(eventType),
    data: EVENT_CATALOG[eventType].data,
  });
}
