import * as z from 'zod';

/** Products: public catalog data (no personal data), prices in minor units. */
export const productSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  priceMinor: z.number().int().nonnegative().describe('Price in minor units (cents).'),
  currency: z.string().length(3),
  stock: z.number().int().nonnegative(),
});
export type Product = z.output<typeof productSchema>;

export const productIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a product id such as sku-1');
