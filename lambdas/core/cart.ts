import * as z from 'zod';
import { type Product, productIdSchema } from './catalog';

export const MAX_CART_LINES = 20;
export const MAX_LINE_QUANTITY = 99;

export const cartLineSchema = z.object({
  productId: productIdSchema,
  name: z.string(),
  quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY),
  unitPriceMinor: z.number().int().nonnegative(),
});
export type CartLine = z.output<typeof cartLineSchema>;

export const cartSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  currency: z.string().length(3),
  status: z.enum(['open', 'checked_out']),
  lines: z.array(cartLineSchema),
  totalMinor: z.number().int().nonnegative(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The checkout that turned this cart into an order (set when it is checked out). */
  checkoutId: z.string().optional(),
});
export type Cart = z.output<typeof cartSchema>;

export class CartRuleError extends Error {
  override name = 'CartRuleError';
}

export function cartTotal(lines: readonly CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.quantity * line.unitPriceMinor, 0);
}

/** Sets a product's quantity in the cart (0 removes it); the line captures the current price. */
export function withQuantity(cart: Cart, product: Product, quantity: number): CartLine[] {
  if (product.currency !== cart.currency)
    throw new CartRuleError(
      `product ${product.id} is priced in ${product.currency}, the cart in ${cart.currency}`,
    );
  const others = cart.lines.filter((line) => line.productId !== product.id);
  if (quantity === 0) return others;
  if (quantity > MAX_LINE_QUANTITY) throw new CartRuleError(`at most ${MAX_LINE_QUANTITY} units per line`);
  const lines = [
    ...others,
    { productId: product.id, name: product.name, quantity, unitPriceMinor: product.priceMinor },
  ];
  if (lines.length > MAX_CART_LINES) throw new CartRuleError(`a cart holds at most ${MAX_CART_LINES} lines`);
  return lines.sort((a, b) => a.productId.localeCompare(b.productId));
}

export function quantityOf(cart: Cart, productId: string): number {
  return cart.lines.find((line) => line.productId === productId)?.quantity ?? 0;
}
