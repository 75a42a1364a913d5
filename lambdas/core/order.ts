import * as z from 'zod';
import { cartLineSchema } from './cart';

export const orderSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  cartId: z.string(),
  status: z.enum(['placed', 'cancelled']),
  lines: z.array(cartLineSchema),
  totalMinor: z.number().int().nonnegative(),
  currency: z.string().length(3),
  authorizationId: z.string(),
  placedAt: z.string(),
  cancelledAt: z.string().optional(),
  version: z.number().int(),
});
export type Order = z.output<typeof orderSchema>;
