import * as z from 'zod';
import { freshness } from './cache-control';
import type { CommerceClient } from './client';
import type { Product, ProductPage } from './contract';
import { ProblemError, problemSchema } from './problem';
import type { DurableStore } from './storage/durable-store';
import { CommerceUnavailableError } from './transport';

/**
 * A local copy of the public catalog, refreshed with conditional requests.
 *
 * Each URL's last answer is kept with its `ETag` and the time `Cache-Control: max-age` lets it be
 * used without asking. While fresh it is served locally. Once stale it is revalidated with
 * `If-None-Match`: a 304 extends it without a body, a 200 replaces it. When the API cannot be
 * reached, or answers 5xx, the stale copy is served (`source: 'stale'`), so a kiosk keeps showing
 * its catalog offline. With a durable store the copy survives a restart.
 */

export type CatalogSource = 'cache' | 'revalidated' | 'network' | 'stale';

export interface CatalogResult<T> {
  readonly data: T;
  readonly source: CatalogSource;
  /** Epoch ms until which `data` is fresh (a stale answer is already past it). */
  readonly freshUntil: number;
}

const entrySchema = z.object({
  etag: z.string().optional(),
  body: z.unknown(),
  freshUntil: z.number(),
});
type Entry = z.infer<typeof entrySchema>;
type ApiResult = { readonly data?: unknown; readonly error?: unknown; readonly response: Response };

export interface CatalogCacheOptions {
  /** Where the catalog is read: the API client, or `createCdnCatalogClient` for reads through the CDNs. */
  readonly client: Pick<CommerceClient, 'api'>;
  /** @default a MemoryStore-like map (lost on restart) */
  readonly store?: DurableStore;
  /** @default Date.now */
  readonly now?: () => number;
}

export class CatalogCache {
  private readonly memory = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: CatalogCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  listProducts(
    query: { limit?: number; cursor?: string; q?: string } = {},
  ): Promise<CatalogResult<ProductPage>> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) search.set(name, String(value));
    const suffix = search.toString() ? `?${search}` : '';
    return this.load(`/v1/products${suffix}`, (headers, signal) =>
      this.options.client.api.GET('/v1/products', { params: { query }, headers, signal }),
    ) as Promise<CatalogResult<ProductPage>>;
  }

  getProduct(productId: string): Promise<CatalogResult<Product>> {
    return this.load(`/v1/products/${encodeURIComponent(productId)}`, (headers, signal) =>
      this.options.client.api.GET('/v1/products/{productId}', {
        params: { path: { productId } },
        headers,
        signal,
      }),
    ) as Promise<CatalogResult<Product>>;
  }

  private async load(
    path: string,
    fetchIt: (headers: Record<string, string>, signal?: AbortSignal) => Promise<ApiResult>,
  ): Promise<CatalogResult<unknown>> {
    const cached = await this.read(path);
    const now = this.now();
    if (cached && now < cached.freshUntil)
      return { data: cached.body, source: 'cache', freshUntil: cached.freshUntil };
    let result: ApiResult;
    try {
      result = await fetchIt(cached?.etag ? { 'If-None-Match': cached.etag } : {});
    } catch (error) {
      if (error instanceof CommerceUnavailableError && cached) return this.stale(cached);
      throw error;
    }
    const { response } = result;
    const { maxAgeMs, storable } = freshness(response.headers.get('cache-control'));
    const freshUntil = this.now() + maxAgeMs;
    if (response.status === 304 && cached) {
      await this.write(path, { ...cached, freshUntil });
      return { data: cached.body, source: 'revalidated', freshUntil };
    }
    if (response.status === 200) {
      const body = result.data;
      const etag = response.headers.get('etag');
      if (storable) await this.write(path, { ...(etag ? { etag } : {}), body, freshUntil });
      return { data: body, source: 'network', freshUntil };
    }
    if (response.status >= 500 && cached) return this.stale(cached);
    const problem = problemSchema.safeParse(result.error);
    throw new ProblemError(response.status, problem.success ? problem.data : undefined);
  }

  private stale(entry: Entry): CatalogResult<unknown> {
    return { data: entry.body, source: 'stale', freshUntil: entry.freshUntil };
  }

  private async read(path: string): Promise<Entry | undefined> {
    const inMemory = this.memory.get(path);
    if (inMemory || !this.options.store) return inMemory;
    const parsed = entrySchema.safeParse(await this.options.store.get(`catalog${path}`));
    if (!parsed.success) return undefined;
    this.memory.set(path, parsed.data);
    return parsed.data;
  }

  private async write(path: string, entry: Entry): Promise<void> {
    this.memory.set(path, entry);
    await this.options.store?.set(`catalog${path}`, entry);
  }
}
