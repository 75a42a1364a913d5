import * as z from 'zod';
import { zoneGeographiesSchema } from './geography';

/** An environment variable holding JSON (default `{}`), parsed and validated by `schema`. */
function jsonVariable<T extends z.ZodType>(schema: T, expected: string) {
  return z
    .string()
    .default('{}')
    .transform((text, ctx): z.output<T> => {
      try {
        return schema.parse(JSON.parse(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be ${expected}` });
        return z.NEVER;
      }
    });
}

/** A Route 53 ARC cluster's regional endpoints (data plane): try them in turn. */
export const arcClusterEndpointsSchema = z
  .array(z.object({ endpoint: z.string().url(), region: z.string().min(1) }))
  .min(1);
export type ArcClusterEndpoint = z.output<typeof arcClusterEndpointsSchema>[number];

/**
 * What a cell's runtime knows about itself, read once from the environment at
 * the edge of every handler. The CDK constructs set these variables; the local
 * topology sets the same ones.
 */
export const cellConfigSchema = z.object({
  APP_NAME: z.string().min(1),
  CELL_ZONE: z.string().min(1),
  CELL_REGION: z.string().min(1),
  CELL_ROLE: z.enum(['primary', 'secondary']),
  TABLE_NAME: z.string().min(1),
  APP_VERSION: z.string().default('dev'),
  /** JSON object: zone name -> public base URL of that zone's API (used for 421 redirects). */
  ZONE_ENDPOINTS: jsonVariable(z.record(z.string(), z.string().url()), 'a JSON object of zone name -> URL'),
  /** JSON object: zone name -> geographies (`default`, `continent:EU`, `country:DE`); decides a customer's home zone. */
  ZONE_GEOGRAPHIES: jsonVariable(zoneGeographiesSchema, 'a JSON object of zone name -> list of geographies'),
  /** Bearer tokens: expected issuer and audience, and where the signing keys are (URL, or inline JWKS JSON). */
  AUTH_ISSUER: z.string().default('https://auth.local.invalid/'),
  AUTH_AUDIENCE: z.string().default('commerce-api'),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_JWKS_JSON: z.string().optional(),
  EVENT_BUS_NAME: z.string().optional(),
  WEBHOOK_QUEUE_URL: z.string().optional(),
  /** Writer fencing (topology failover.fencing): `arc` = this cell writes only while its routing control is ON. */
  WRITER_FENCE: z.enum(['arc', 'none']).optional(),
  /** ARN of this cell's ARC routing control (fenced cells). */
  ROUTING_CONTROL_ARN: z.string().optional(),
  /** JSON array of the ARC cluster endpoints, `[{ "endpoint": "https://...", "region": "..." }]` (fenced cells). */
  ARC_CLUSTER_ENDPOINTS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return undefined;
      const parsed = arcClusterEndpointsSchema.safeParse(safeJson(text));
      if (parsed.success) return parsed.data;
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of { endpoint, region }' });
      return z.NEVER;
    }),
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type CellConfig = z.output<typeof cellConfigSchema>;

export function cellConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CellConfig {
  const result = cellConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(
      `Cell configuration is invalid (${problems}); the cell's deployment sets these variables`,
    );
  }
  return result.data;
}
