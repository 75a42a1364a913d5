import * as z from 'zod';
import { productIdSchema } from '../core/catalog';

/** Schemas shared by several routes (inputs validated at the edge; outputs documented in OpenAPI). */

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('Stable machine-readable error code.'),
    correlationId: z.string(),
    instance: z.string().optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem' });

export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, _ and -');

export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(2048).optional(),
});

export const productParamsSchema = z.strictObject({ productId: productIdSchema });

export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().optional() }).meta({ id });
}

/** Standard error responses every protected route can answer. */
export const AUTH_ERRORS = {
  401: { description: 'Missing or invalid bearer token', schema: problemSchema },
  403: { description: 'The token lacks the required scope', schema: problemSchema },
} as const;

/**
 * What every personal-data route can answer for residency (the generator adds these to each, from the same
 * path list the app guards).
 */
export const RESIDENCY_ERRORS = {
  403: {
    description: 'The token lacks the required scope, or carries no home_zone claim (code home_zone_unknown)',
    schema: problemSchema,
  },
  421: {
    description: "The customer's data lives in another residency zone (the body names its endpoint)",
    schema: problemSchema,
  },
} as const;

export const MUTATION_ERRORS = {
  400: { description: 'Invalid request or missing Idempotency-Key', schema: problemSchema },
  409: { description: 'Conflict, or the same Idempotency-Key is still running', schema: problemSchema },
  422: { description: 'The Idempotency-Key was used with a different request', schema: problemSchema },
} as const;
