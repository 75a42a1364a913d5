/**
 * One CDN stand-in's cache of catalog answers, keyed by path and query string
 * (CloudFront's cache policy keys on every query string and no header or
 * cookie; Cloudflare's default cache key is the URL).
 *
 * Its clock runs at the local time scale, like the health checks and the DNS
 * TTL: at 0.1 an answer with a 60 s TTL is fresh for 6 real seconds, and
 * `Age` counts cloud seconds (real seconds / time scale), so it reads against
 * the origin's max-age as it would in the cloud.
 */

export interface CdnClock {
  nowMs(): number;
  /** 0.1: 10 cloud seconds pass in 1 real second. */
  readonly timeScale: number;
}

export interface CachedAnswer {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
  /** Real milliseconds when the origin's answer arrived. */
  readonly storedAtMs: number;
  /** Cloud seconds after storing: fresh, then stale-while-revalidate, then stale-if-error (each after the previous). */
  readonly freshSeconds: number;
  readonly staleWhileRevalidateSeconds: number;
  readonly staleIfErrorSeconds: number;
}

/**
 * `fresh`: serve it (HIT). `revalidate`: expired but within
 * stale-while-revalidate: serve it (STALE) and refresh in the background.
 * `expired`: ask the origin; the answer may still serve if the origin fails
 * (`usableOnError`).
 */
export type CacheLookup =
  | { readonly kind: 'miss' }
  | { readonly kind: 'fresh' | 'revalidate' | 'expired'; readonly entry: CachedAnswer };

export class CdnCache {
  private readonly entries = new Map<string, CachedAnswer>();

  constructor(private readonly clock: CdnClock) {}

  get size(): number {
    return this.entries.size;
  }

  /** Cloud seconds since the answer was stored (the `Age` header). */
  ageSeconds(entry: CachedAnswer): number {
    return Math.max(0, Math.floor((this.clock.nowMs() - entry.storedAtMs) / 1000 / this.clock.timeScale));
  }

  private ageExact(entry: CachedAnswer): number {
    return (this.clock.nowMs() - entry.storedAtMs) / 1000 / this.clock.timeScale;
  }

  lookup(key: string): CacheLookup {
    const entry = this.entries.get(key);
    if (!entry) return { kind: 'miss' };
    const age = this.ageExact(entry);
    if (age < entry.freshSeconds) return { kind: 'fresh', entry };
    if (age < entry.freshSeconds + entry.staleWhileRevalidateSeconds) return { kind: 'revalidate', entry };
    return { kind: 'expired', entry };
  }

  /** The origin failed: may this expired answer still be served (RFC 5861 stale-if-error)? */
  usableOnError(entry: CachedAnswer): boolean {
    return this.ageExact(entry) < entry.freshSeconds + entry.staleIfErrorSeconds;
  }

  store(key: string, entry: CachedAnswer): void {
    this.entries.set(key, entry);
  }

  /**
   * Drops every entry (no paths), or those matching CloudFront-style
   * invalidation paths: exact, or a prefix ending in `*`. Returns how many.
   */
  purge(paths?: readonly string[]): number {
    let purged = 0;
    for (const key of [...this.entries.keys()]) {
      const path = key.split('?')[0]!;
      const matches =
        !paths ||
        paths.some((pattern) =>
          pattern.endsWith('*') ? key.startsWith(pattern.slice(0, -1)) : path === pattern || key === pattern,
        );
      if (matches) {
        this.entries.delete(key);
        purged += 1;
      }
    }
    return purged;
  }
}
