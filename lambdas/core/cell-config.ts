import * as z from 'zod';
import { zoneGeographiesSchema } from './geography';

/** An environment variable holding JSON (default `empty`), parsed and validated by `schema`. */
function jsonVariable<T extends z.ZodType>(schema: T, expected: string, empty = '{}') {
  return z
    .string()
    .default(empty)
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
/** One cell of the answering cell's zone, as clients reach it directly (the discovery document lists them). */
export const zoneCellSchema = z.object({
  region: z.string().min(1),
  role: z.enum(['primary', 'secondary']),
  endpoint: z.string().url(),
});
export type ZoneCell = z.output<typeof zoneCellSchema>;

export const cellConfigSchema = z.object({
  APP_NAME: z.string().min(1),
  CELL_ZONE: z.string().min(1),
  CELL_REGION: z.string().min(1),
  CELL_ROLE: z.enum(['primary', 'secondary']),
  TABLE_NAME: z.string().min(1),
  APP_VERSION: z.string().default('dev'),
  /** JSON object: zone name -> public base URL of that zone's API (used for 421 redirects). */
  ZONE_ENDPOINTS: jsonVariable(z.record(z.string(), z.string().url()), 'a JSON object of zone name -> URL'),
  /** JSON array: the cells of this cell's zone (itself included) with their own endpoints (GET /v1/discovery). */
  ZONE_CELLS: jsonVariable(z.array(zoneCellSchema), 'a JSON array of { region, role, endpoint }', '[]'),
  /** JSON object: zone name -> geographies (`default`, `continent:EU`, `country:DE`); decides a customer's home zone. */
  ZONE_GEOGRAPHIES: jsonVariable(zoneGeographiesSchema, 'a JSON object of zone name -> list of geographies'),
  /** Bearer tokens: expected issuer and audience, and where the signing keys are (URL, or inline JWKS JSON). */
  AUTH_ISSUER: z.string().default('https://auth.local.invalid/'),
  AUTH_AUDIENCE: z.string().default('commerce-api'),
  AUTH_JWKS_URL: z.string().url().optional(),
  AUTH_JWKS_JSON: z.string().optional(),
  EVENT_BUS_NAME: z.string().optional(),
  WEBHOOK_QUEUE_URL: z.string().optional(),
  /** How the cell learns whether it is its zone's writer (core/writer-fence.ts): `arc` or `none` (always). */
  WRITER_FENCE: z.enum(['arc', 'none']).default('none'),
  /** With `arc`: this cell's Route 53 ARC routing control (ON = this cell is the zone's writer). */
  ROUTING_CONTROL_ARN: z.string().optional(),
  /** With `arc`: JSON array of the ARC cluster's data-plane endpoints, `[{ "endpoint": "https://...", "region": "..." }]`. */
  ARC_CLUSTER_ENDPOINTS: jsonVariable(
    arcClusterEndpointsSchema,
    'a JSON array of {endpoint, region}',
  ).optional(),
});

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

/** The variables a cell's functions read: the schema's own keys, so a rename there breaks every builder. */
export type CellEnvironmentName = keyof z.input<typeof cellConfigSchema>;
export type CellEnvironment = Partial<Record<CellEnvironmentName, string>>;

/** How a cell verifies bearer tokens: the identity provider's issuer, audience and signing keys. */
export interface CellAuthFacts {
  readonly issuer: string;
  readonly audience: string;
  /** Where the provider publishes its JWKS (the cloud). */
  readonly jwksUrl?: string;
  /** The JWKS itself, inline (the local topology's SIMULATED issuer). */
  readonly jwksJson?: string;
}

/**
 * What a cell is told about itself, as plain data. The CDK construct
 * (lib/constructs/cell-environment.ts) and the local topology (local/cell.ts)
 * both turn their facts into variables with `cellEnvironment`, so the cloud
 * and the local cells cannot disagree on a variable name.
 */
export interface CellFacts {
  readonly appName: string;
  readonly zone: string;
  readonly region: string;
  readonly role: 'primary' | 'secondary';
  readonly tableName: string;
  /** zone name -> public base URL of that zone's API (421 answers point there). */
  readonly zoneEndpoints: Readonly<Record<string, string>>;
  /** The cells of this cell's zone, itself included, each with the endpoint that reaches it directly. */
  readonly zoneCells: readonly ZoneCell[];
  /** zone name -> the geographies it serves (decides a new customer's home zone). */
  readonly zoneGeographies: Readonly<Record<string, readonly string[]>>;
  /** @default the schema's default (`dev`) */
  readonly appVersion?: string;
  /** @default the schema's defaults: no keys, so every protected route answers 401 */
  readonly auth?: CellAuthFacts;
  /** The cell's EventBridge bus (cloud only). */
  readonly eventBusName?: string;
  /** The cell's webhook queue (cloud only). */
  readonly webhookQueueUrl?: string;
  /** Fencing by a Route 53 ARC routing control (cloud only; core/writer-fence.ts). @default none: always the writer */
  readonly writerFence?: {
    readonly routingControlArn: string;
    readonly clusterEndpoints: readonly { readonly endpoint: string; readonly region: string }[];
  };
}

/** The cell's environment variables from its facts; unset facts are left out, so the schema's defaults apply. */
export function cellEnvironment(facts: CellFacts): CellEnvironment {
  // Every schema key is listed here, so a new variable is a compile error until this builder decides it.
  const variables: Record<CellEnvironmentName, string | undefined> = {
    APP_NAME: facts.appName,
    CELL_ZONE: facts.zone,
    CELL_REGION: facts.region,
    CELL_ROLE: facts.role,
    TABLE_NAME: facts.tableName,
    APP_VERSION: facts.appVersion,
    ZONE_ENDPOINTS: JSON.stringify(facts.zoneEndpoints),
    ZONE_CELLS: JSON.stringify(facts.zoneCells),
    ZONE_GEOGRAPHIES: JSON.stringify(facts.zoneGeographies),
    AUTH_ISSUER: facts.auth?.issuer,
    AUTH_AUDIENCE: facts.auth?.audience,
    AUTH_JWKS_URL: facts.auth?.jwksUrl,
    AUTH_JWKS_JSON: facts.auth?.jwksJson,
    EVENT_BUS_NAME: facts.eventBusName,
    WEBHOOK_QUEUE_URL: facts.webhookQueueUrl,
    WRITER_FENCE: facts.writerFence ? 'arc' : undefined,
    ROUTING_CONTROL_ARN: facts.writerFence?.routingControlArn,
    ARC_CLUSTER_ENDPOINTS: facts.writerFence ? JSON.stringify(facts.writerFence.clusterEndpoints) : undefined,
  };
  return Object.fromEntries(
    Object.entries(variables).filter(
      (entry): entry is [CellEnvironmentName, string] => entry[1] !== undefined,
    ),
  );
}
