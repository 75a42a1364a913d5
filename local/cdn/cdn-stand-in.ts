import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { CatalogCacheTtls, CdnVendor } from '../../lib/topology';
import type { CdnVendorState } from '../contract';
import { listenerServerOptions, LoopbackListener } from '../listener';
import { parseCacheControl } from './cache-control';
import { type CachedAnswer, CdnCache, type CdnClock } from './cdn-cache';
import type { OriginOutcome } from './origin-client';
import type { OriginSelection } from './origin-selection';
import {
  CDN_LABELS,
  classifyPath,
  type FrontedPaths,
  freshSeconds,
  ORIGIN_FAILURE_STATUS,
  READ_METHODS,
  staleSeconds,
} from './vendor-rules';

/**
 * A SIMULATED CDN (CloudFront or Cloudflare) for one zone: a caching reverse
 * proxy on its own loopback port, in front of the zone's cells, doing what
 * the vendor's configuration in lib/ says (vendor-rules.ts):
 * - only GET/HEAD of the public catalog and of the health path reach a cell;
 *   everything else, personal-data paths first of all, is refused at the edge
 *   with 403 problem+json, as CloudFront (no behaviour, private S3 default)
 *   and Cloudflare (firewall rule) refuse it;
 * - catalog answers (200) are cached for the vendor's TTL, served with `Age`
 *   and `x-cache: HIT`, and when expired: `STALE` within stale-while-revalidate
 *   (refreshed in the background), else fetched again (`MISS`); if the origin
 *   then fails (connection, timeout, 5xx) an answer within stale-if-error is
 *   served `STALE`;
 * - the health path is never cached: Route 53 checks the CDN through it.
 * `x-cache: ERROR` marks an answer the CDN made itself (a refusal, no origin).
 * Faults (control API): stopped (connections refused), added latency, purge.
 */

export const CACHE_STATUS_HEADER = 'x-cache';
export type CacheStatus = 'HIT' | 'MISS' | 'STALE' | 'ERROR';

export interface CdnStandInOptions {
  readonly vendor: CdnVendor;
  readonly zone: string;
  /** `<vendor>.<zone>.<domain>`: named in `Via` and in refusals. */
  readonly hostname: string;
  /** Where refusals send writes and personal data: the zone's failover name (`api.<zone>.<domain>`) and its local endpoint. */
  readonly zoneApi: { readonly name: string; readonly localUrl: string };
  readonly port: number;
  readonly fronted: FrontedPaths;
  readonly ttls: CatalogCacheTtls;
  readonly clock: CdnClock;
  readonly origins: OriginSelection;
  /** Releases the origin client's connections when the stand-in closes. */
  readonly closeOrigins: () => Promise<void>;
}

interface Counters {
  hits: number;
  misses: number;
  stale: number;
  refused: number;
  originErrors: number;
}

const NO_BODY_STATUSES = new Set([204, 304]);

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class CdnStandIn {
  readonly vendor: CdnVendor;
  readonly zone: string;
  readonly url: string;
  readonly faults = { addedLatencyMs: 0 };
  private readonly cache: CdnCache;
  private readonly listener: LoopbackListener;
  private readonly revalidating = new Set<string>();
  private readonly counters: Counters = { hits: 0, misses: 0, stale: 0, refused: 0, originErrors: 0 };
  private readonly via: string;

  constructor(private readonly options: CdnStandInOptions) {
    this.vendor = options.vendor;
    this.zone = options.zone;
    this.url = `http://127.0.0.1:${options.port}`;
    this.via = `1.1 ${options.hostname} (SIMULATED ${CDN_LABELS[options.vendor]})`;
    this.cache = new CdnCache(options.clock);
    const server = createAdaptorServer({
      serverOptions: listenerServerOptions(),
      hostname: '127.0.0.1',
      fetch: (request: Request) => this.handle(request),
    });
    this.listener = new LoopbackListener(
      server as Server,
      options.port,
      `${CDN_LABELS[options.vendor]} stand-in for zone ${options.zone}`,
    );
  }

  get name(): string {
    return `${this.vendor}/${this.zone}`;
  }

  get running(): boolean {
    return this.listener.isListening;
  }

  /** Boot: the origin monitors (Cloudflare), then the listener. */
  async open(): Promise<void> {
    await this.options.origins.start();
    await this.listener.open();
  }

  /** Fault: the vendor stops answering (connections refused); the cache survives. */
  stop(): Promise<void> {
    return this.listener.close();
  }

  start(): Promise<void> {
    return this.listener.open();
  }

  /** Every fault rolled back (listening, no added latency) and the monitors restarted from one fresh probe. */
  async reset(): Promise<void> {
    this.faults.addedLatencyMs = 0;
    await this.listener.open();
    await this.options.origins.restart();
  }

  async close(): Promise<void> {
    await this.listener.close();
    await this.options.origins.stop();
    await this.options.closeOrigins();
  }

  purge(paths?: readonly string[]): number {
    return this.cache.purge(paths);
  }

  state(healthy: boolean): CdnVendorState {
    return {
      vendor: this.vendor,
      url: this.url,
      running: this.running,
      addedLatencyMs: this.faults.addedLatencyMs,
      healthy,
      cache: { entries: this.cache.size, ...this.counters },
      origins: [...this.options.origins.origins()],
    };
  }

  readonly handle = async (request: Request): Promise<Response> => {
    if (this.faults.addedLatencyMs > 0) await delay(this.faults.addedLatencyMs);
    const url = new URL(request.url);
    const target = `${url.pathname}${url.search}`;
    const kind = classifyPath(url.pathname, this.options.fronted);
    if (!READ_METHODS.includes(request.method)) {
      return this.refuse(
        'method_not_allowed_by_cdn',
        `${request.method} is not allowed on ${this.options.hostname}: it serves GET and HEAD of the public catalog only. Send writes to ${this.zoneApi()}.`,
      );
    }
    if (kind === 'personal') {
      return this.refuse(
        'personal_data_not_fronted',
        `${url.pathname} carries personal data: no CDN fronts it (CloudFront has no behaviour for it, Cloudflare's firewall rule blocks it). Call ${this.zoneApi()} instead.`,
      );
    }
    if (kind === 'other') {
      return this.refuse(
        'path_not_fronted',
        `${url.pathname} is not sent to a cell by ${this.options.hostname}: only ${this.options.fronted.catalogPrefixes.map((p) => `${p}*`).join(', ')} (cached) and ${this.options.fronted.healthPath} reach the zone's cells (static assets are not simulated).`,
      );
    }
    const method = request.method as 'GET' | 'HEAD';
    if (kind === 'health') {
      const outcome = await this.options.origins.forward(target, method);
      if (outcome.kind === 'unreachable') this.counters.originErrors += 1;
      return this.fromOrigin(outcome, method);
    }
    return this.catalog(target, method);
  };

  private zoneApi(): string {
    return `${this.options.zoneApi.name} (here: ${this.options.zoneApi.localUrl})`;
  }

  private async catalog(key: string, method: 'GET' | 'HEAD'): Promise<Response> {
    const found = this.cache.lookup(key);
    if (found.kind === 'fresh') {
      this.counters.hits += 1;
      return this.fromCache(found.entry, 'HIT', method);
    }
    if (found.kind === 'revalidate') {
      this.counters.stale += 1;
      this.revalidateInBackground(key);
      return this.fromCache(found.entry, 'STALE', method);
    }
    const outcome = await this.fetchAndStore(key);
    if (!this.failed(outcome)) {
      this.counters.misses += 1;
      return this.fromOrigin(outcome, method);
    }
    if (found.kind === 'expired' && this.cache.usableOnError(found.entry)) {
      this.counters.stale += 1;
      return this.fromCache(found.entry, 'STALE', method);
    }
    this.counters.misses += 1;
    return this.fromOrigin(outcome, method);
  }

  /** An origin failure in the sense of RFC 5861 stale-if-error: no answer, or a 5xx. */
  private failed(outcome: OriginOutcome): boolean {
    return outcome.kind === 'unreachable' || outcome.status >= 500;
  }

  /** Always a GET (a HEAD miss fills the cache too); stores a 200 the vendor may keep. */
  private async fetchAndStore(key: string): Promise<OriginOutcome & { readonly cell: string }> {
    const outcome = await this.options.origins.forward(key, 'GET');
    if (this.failed(outcome)) {
      this.counters.originErrors += 1;
      return outcome;
    }
    if (outcome.kind === 'answer' && outcome.status === 200) {
      const cacheControl = outcome.headers.find(([name]) => name === 'cache-control')?.[1];
      const directives = parseCacheControl(cacheControl);
      const fresh = freshSeconds(this.vendor, directives, this.options.ttls);
      if (fresh !== undefined) {
        const stale = staleSeconds(directives);
        const entry: CachedAnswer = {
          status: outcome.status,
          headers: outcome.headers,
          body: outcome.body,
          storedAtMs: this.options.clock.nowMs(),
          freshSeconds: fresh,
          staleWhileRevalidateSeconds: stale.whileRevalidate,
          staleIfErrorSeconds: stale.ifError,
        };
        this.cache.store(key, entry);
      }
    }
    return outcome;
  }

  private revalidateInBackground(key: string): void {
    if (this.revalidating.has(key)) return;
    this.revalidating.add(key);
    void this.fetchAndStore(key).finally(() => this.revalidating.delete(key));
  }

  private headers(pairs: readonly (readonly [string, string])[], cache: CacheStatus): Headers {
    const headers = new Headers();
    for (const [name, value] of pairs) headers.append(name, value);
    headers.set('via', this.via);
    headers.set(CACHE_STATUS_HEADER, cache);
    return headers;
  }

  private fromCache(entry: CachedAnswer, cache: 'HIT' | 'STALE', method: 'GET' | 'HEAD'): Response {
    const headers = this.headers(entry.headers, cache);
    headers.set('age', String(this.cache.ageSeconds(entry)));
    return new Response(method === 'HEAD' ? null : entry.body.slice(), { status: entry.status, headers });
  }

  private fromOrigin(outcome: OriginOutcome & { readonly cell: string }, method: 'GET' | 'HEAD'): Response {
    if (outcome.kind === 'unreachable') {
      const status = ORIGIN_FAILURE_STATUS[this.vendor][outcome.failure];
      return this.problem(
        status,
        'origin_unreachable',
        'Origin unreachable',
        `SIMULATED ${CDN_LABELS[this.vendor]} could not get an answer from zone ${this.zone}'s cells (last tried ${outcome.cell}: ${outcome.detail}) and had no cached answer it may serve.`,
      );
    }
    const bodyless = method === 'HEAD' || NO_BODY_STATUSES.has(outcome.status);
    return new Response(bodyless ? null : outcome.body.slice(), {
      status: outcome.status,
      headers: this.headers(outcome.headers, 'MISS'),
    });
  }

  private refuse(code: string, detail: string): Response {
    this.counters.refused += 1;
    return this.problem(403, code, 'Forbidden', detail);
  }

  private problem(status: number, code: string, title: string, detail: string): Response {
    return new Response(JSON.stringify({ type: `urn:local:cdn:${code}`, title, status, code, detail }), {
      status,
      headers: {
        'content-type': 'application/problem+json',
        'cache-control': 'no-store',
        via: this.via,
        [CACHE_STATUS_HEADER]: 'ERROR',
      },
    });
  }
}
