import createClient, { type Client } from 'openapi-fetch';
import * as z from 'zod';
import { exchange, type FetchFunction } from './attempt';
import type { Paths } from './contract';
import { Listeners } from './listeners';
import { AttemptFailure } from './policies';
import { CommerceUnavailableError } from './transport';

/**
 * Catalog reads through the CDNs, with a fallback across their names.
 *
 * Route 53 steers the public catalog name (`catalog.<zone>.<domain>`) away from a CDN that is
 * down only after its health check fails and the answers resolvers cached expire: for that
 * window a client that follows DNS alone gets errors. Each CDN also serves the zone under its own
 * name (`<vendor>.<zone>.<domain>`), so this client tries the steered name first and, when it
 * gives no answer or a 5xx, the CDNs' own names in turn, within the same read. After a read
 * succeeds on a fallback name, later reads start there for `stickyMs` (by then DNS has steered
 * too), so a dead CDN costs one failed attempt per sticky period, not one per read.
 *
 * Reads only (GET, HEAD): the catalog is public and cacheable; writes go to the API
 * (`createCommerceClient`). Hand-written rather than a cockatiel policy: a failover across a list
 * of names within one call is a loop over that list, and `exchange` already bounds each attempt.
 */

const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'must be an http(s) URL, e.g. https://catalog.eu.example.com',
});

const optionsSchema = z.object({
  origins: z
    .array(httpUrl)
    .min(1, 'origins: give at least the steered catalog name, then each CDN’s own name'),
  attemptTimeoutMs: z.number().int().min(1).optional(),
  stickyMs: z.number().int().min(0).optional(),
});

export interface CdnCatalogOptions {
  /**
   * Catalog base URLs in order of preference: the steered name first
   * (`https://catalog.<zone>.<domain>`), then each CDN's own name
   * (`https://cloudfront.<zone>.<domain>`, `https://cloudflare.<zone>.<domain>`).
   */
  readonly origins: readonly string[];
  /** Time allowed for one name's complete answer; then the next name. @default 3000 */
  readonly attemptTimeoutMs?: number;
  /** After a fallback name answered, later reads start there for this long. @default 30000 */
  readonly stickyMs?: number;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFunction;
  /** @default Date.now */
  readonly now?: () => number;
}

/** One attempt on one name: its status, or why it had none. */
export interface CdnAttempt {
  readonly origin: string;
  readonly status?: number;
  readonly failure?: string;
}

export interface CdnCatalogClient {
  /** The typed API, catalog reads only: `api.GET('/v1/products', ...)`; a `CatalogCache` takes it as `client`. */
  readonly api: Client<Paths>;
  /**
   * The same reads without the typed layer: `fetch('https://catalog.eu.example.com/v1/products?limit=10')`.
   * Only the URL's path and query are used; each name in `origins` is tried in turn.
   */
  readonly fetch: FetchFunction;
  /** Every attempt, fallbacks included. */
  readonly attempts: Listeners<CdnAttempt>;
  /** The name the next read starts with. */
  readonly preferredOrigin: () => string;
}

const READ_METHODS = new Set(['GET', 'HEAD']);
/** Answers another CDN may not give: the CDN (or the origin behind it) failed. */
const isCdnFailure = (status: number) => status >= 500;

export function createCdnCatalogClient(options: CdnCatalogOptions): CdnCatalogClient {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new Error(
      `Invalid CDN catalog options: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const origins = options.origins.map((origin) => origin.replace(/\/+$/, ''));
  const timeoutMs = options.attemptTimeoutMs ?? 3000;
  const stickyMs = options.stickyMs ?? 30_000;
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const attempts = new Listeners<CdnAttempt>();
  let sticky: { readonly index: number; readonly until: number } | undefined;

  const startIndex = () => (sticky && now() < sticky.until ? sticky.index : 0);

  const readWithFallback: FetchFunction = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (!READ_METHODS.has(request.method)) {
      throw new Error(
        `${request.method} ${url.pathname}: the CDN catalog client only reads (GET, HEAD); send writes with createCommerceClient`,
      );
    }
    const first = startIndex();
    const order = [...origins.slice(first), ...origins.slice(0, first)];
    let lastFailure: AttemptFailure | undefined;
    let lastAnswer: Response | undefined;
    for (const [offset, origin] of order.entries()) {
      const target = `${origin}${url.pathname}${url.search}`;
      try {
        const answer = await exchange(
          fetchImpl,
          target,
          { method: request.method, headers: request.headers },
          origin,
          { signal: AbortSignal.timeout(timeoutMs), timeoutMs },
          request.signal,
        );
        attempts.emit({ origin, status: answer.status });
        if (!isCdnFailure(answer.status)) {
          const index = (first + offset) % origins.length;
          sticky = index === 0 ? undefined : { index, until: now() + stickyMs };
          return answer;
        }
        lastAnswer = answer;
      } catch (error) {
        if (!(error instanceof AttemptFailure)) throw error;
        attempts.emit({ origin, failure: error.message });
        lastFailure = error;
      }
    }
    if (lastAnswer) return lastAnswer;
    throw new CommerceUnavailableError(request.method, url.pathname, order.length, lastFailure!);
  };

  const api = createClient<Paths>({ baseUrl: origins[0]!, fetch: (request) => readWithFallback(request) });
  return { api, fetch: readWithFallback, attempts, preferredOrigin: () => origins[startIndex()]! };
}
