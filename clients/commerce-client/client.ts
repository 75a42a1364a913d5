import createClient, { type Client } from 'openapi-fetch';
import * as z from 'zod';
import type { FetchFunction } from './attempt';
import { CellRouter } from './cell-router';
import type { Paths } from './contract';
import { type ResilienceOptions, resolveResilience } from './policies';
import type { DurableStore } from './storage/durable-store';
import { createTransport, type Transport } from './transport';

export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface CommerceClientOptions {
  /**
   * Where the client starts: the API's geolocation entry point (`https://api.<domain>`), a zone's
   * failover endpoint, or a cell. The client learns the zone's cells from `GET /v1/discovery` there.
   */
  readonly baseUrl: string;
  /** Bearer token, or a function asked before every attempt (return a fresh one when it expires). @default none (public routes only) */
  readonly token?: TokenSource;
  /** Headers added to every call unless the call sets them (e.g. `x-client-country` for the local edge). @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** Remembers the zone's cells and the customer's home zone across restarts. @default none (memory only) */
  readonly store?: DurableStore;
  /** Retry, timeout, breaker, bulkhead and failback settings; see policies.ts for each default. @default {} */
  readonly resilience?: ResilienceOptions;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction;
  /** Clock, injectable for tests. @default Date.now */
  readonly now?: () => number;
  /**
   * Fail over between the zone's cells (learned from `GET /v1/discovery`) without waiting for DNS.
   * `false`: every call goes to `baseUrl`, as a client that only follows DNS (drills compare the two).
   * @default true
   */
  readonly cellFailover?: boolean;
}

const optionsSchema = z.object({
  baseUrl: z.url({
    protocol: /^https?$/,
    error: 'baseUrl must be an http(s) URL, e.g. https://api.example.com',
  }),
  token: z.union([z.string().min(1), z.function()]).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/**
 * The channel client: a typed API client (openapi-fetch over the generated contract types) whose
 * every call goes through the resilient, cell-aware transport.
 *
 * ```ts
 * const commerce = createCommerceClient({ baseUrl: 'https://api.example.com', token: () => session.token });
 * const { data, error } = await commerce.api.GET('/v1/products', { params: { query: { limit: 20 } } });
 * ```
 */
export interface CommerceClient {
  /** The typed API: `api.GET('/v1/orders/{orderId}', { params: { path: { orderId } } })`. */
  readonly api: Client<Paths>;
  /** Which cell serves, and failover/failback/re-homing events. */
  readonly router: CellRouter;
  /** Connectivity as the last call saw it, and per-attempt events. */
  readonly transport: Transport;
  readonly baseUrl: string;
}

export function createCommerceClient(options: CommerceClientOptions): CommerceClient {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new Error(
      `Invalid commerce client options: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const resilience = resolveResilience(options.resilience);
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const router = new CellRouter({
    entryEndpoint: baseUrl,
    resilience,
    fetch: fetchImpl,
    ...(options.store ? { store: options.store } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.cellFailover === undefined ? {} : { cellFailover: options.cellFailover }),
  });
  const token = options.token;
  const transport = createTransport({
    baseUrl,
    router,
    resilience,
    fetch: fetchImpl,
    ...(token === undefined ? {} : { token: typeof token === 'string' ? () => token : token }),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const api = createClient<Paths>({ baseUrl, fetch: transport.fetch });
  return { api, router, transport, baseUrl };
}
