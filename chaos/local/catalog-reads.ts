import { createCdnCatalogClient } from '../../clients/commerce-client/cdn-catalog';
import { CDN_VENDORS, type CdnVendor } from '../../lib/topology';
import { isSuccessStatus } from '../../loadtests/flow';
import { assertLoopback } from '../../loadtests/loopback';
import { percentile } from '../../loadtests/stats';
import type { Criterion } from '../metrics';
import type { Phase } from '../orchestrator';
import type { LocalDrillContext } from './context';

/**
 * The storefront's catalog reads through the zone's steered catalog name
 * (SIMULATED Route 53 between the SIMULATED CDNs, local/cdn): what the CDN
 * drills judge. The shopper load goes to the zone's API endpoint; these reads
 * go where a storefront's product pages go. Started by the first observed
 * second, stopped when the drill verifies; bounded in rate, in flight and in
 * count, loopback only.
 */

export interface CatalogRead {
  /** Drill clock (ms since the load started) at request start. */
  readonly atMs: number;
  /** 0 when the client got no answer (timeout, connection). */
  readonly status: number;
  readonly ok: boolean;
  readonly latencyMs: number;
  /** The CDN the steering sent it to (`x-cdn`), when an answer came back. */
  readonly vendor: CdnVendor | undefined;
  /** `x-cache` of the CDN stand-in: HIT, MISS, STALE, ERROR. */
  readonly cache: string | undefined;
  /** `Age` (cloud seconds) of a cached answer. */
  readonly ageSeconds: number | undefined;
}

/** Catalog pages a storefront reads (the list and one page of it), each a separate cache entry. */
export const CATALOG_READ_PATHS = ['/v1/products?limit=10', '/v1/products?limit=5'] as const;
/** Reads per second: enough that 99.9 % means something over a short drill, light for 2 cores. */
export const CATALOG_READS_PER_SECOND = 40;
/** A read that has no answer within this is counted as failed (status 0): a client's patience. */
const READ_TIMEOUT_MS = 10_000;
const MAX_IN_FLIGHT = 50;

/** How a storefront sends one catalog read (`path` with its query); the answer's body is read by the caller. */
export type CatalogReader = (path: string, signal: AbortSignal) => Promise<Response>;

/** A storefront that follows DNS only: every read to the steered catalog name. */
export function readViaSteeredName(catalogUrl: string): CatalogReader {
  return (path, signal) => fetch(`${catalogUrl}${path}`, { signal });
}

/** Each name's share of a read's patience when the steered name and two CDN names are tried in turn. */
export const FALLBACK_ATTEMPT_TIMEOUT_MS = Math.floor(READ_TIMEOUT_MS / 3);

/**
 * A storefront with the channel client's CDN fallback (clients/commerce-client/cdn-catalog.ts):
 * the steered name first, then each CDN's own name, within one read, each attempt bounded by
 * FALLBACK_ATTEMPT_TIMEOUT_MS. `stickyMs`: how long reads start at a fallback name that answered.
 */
export function readWithCdnFallback(
  context: LocalDrillContext,
  drillName: string,
  stickyMs: number,
): { readonly read: CatalogReader; readonly fallbackAttempts: () => number } {
  const catalogUrl = catalogUrlOf(context, drillName);
  const vendors = Object.values(context.topology.endpoints.cdn?.[context.zone.name]?.vendors ?? {});
  const origins = [catalogUrl, ...vendors.map((url) => assertLoopback(url ?? ''))];
  const client = createCdnCatalogClient({
    origins,
    attemptTimeoutMs: FALLBACK_ATTEMPT_TIMEOUT_MS,
    stickyMs,
  });
  let fallbackAttempts = 0;
  client.attempts.add((attempt) => {
    if (attempt.origin !== catalogUrl) fallbackAttempts += 1;
  });
  return {
    read: (path, signal) => client.fetch(`${catalogUrl}${path}`, { signal }),
    fallbackAttempts: () => fallbackAttempts,
  };
}

/** The steered catalog URL of the drill's zone; says why when no CDN fronts it. */
export function catalogUrlOf(context: LocalDrillContext, drillName: string): string {
  const cdn = context.topology.endpoints.cdn?.[context.zone.name];
  if (!cdn) {
    throw new Error(
      `drill ${drillName} needs a zone fronted by CDNs; no CDN fronts zone ${context.zone.name} (a residency-restricted zone, or edge.enabled is false). Run it with --zone <a zone a CDN fronts>`,
    );
  }
  return assertLoopback(cdn.catalog).replace(/\/$/, '');
}

const asVendor = (value: string | null): CdnVendor | undefined =>
  CDN_VENDORS.find((vendor) => vendor === value);

export class CatalogReads {
  private readonly reads: CatalogRead[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private sent = 0;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly context: LocalDrillContext,
    private readonly send: CatalogReader,
    /** Upper bound on reads for the whole run (the drill's seconds x rate, plus room). */
    private readonly maxReads: number,
    /** @default CATALOG_READS_PER_SECOND */
    private readonly ratePerSecond: number = CATALOG_READS_PER_SECOND,
  ) {}

  /** Starts on the first observed second (the load's clock is running then). */
  readonly onSecond = async (_second: number, _phase: Phase): Promise<void> => {
    if (this.timer) return;
    const everyMs = 1000 / this.ratePerSecond;
    this.timer = setInterval(() => this.readOnce(), everyMs);
  };

  /** Stops reading and waits for the reads in flight; the samples, oldest first. */
  async stop(): Promise<readonly CatalogRead[]> {
    clearInterval(this.timer);
    await Promise.all([...this.pending]);
    return [...this.reads].sort((a, b) => a.atMs - b.atMs);
  }

  private readOnce(): void {
    if (this.sent >= this.maxReads) {
      clearInterval(this.timer);
      return;
    }
    if (this.inFlight >= MAX_IN_FLIGHT) return;
    const path = CATALOG_READ_PATHS[this.sent % CATALOG_READ_PATHS.length]!;
    this.sent += 1;
    this.inFlight += 1;
    const atMs = this.context.elapsedMs();
    const started = performance.now();
    const read = this.send(path, AbortSignal.timeout(READ_TIMEOUT_MS))
      .then(async (response) => {
        await response.arrayBuffer();
        const age = response.headers.get('age');
        this.reads.push({
          atMs,
          status: response.status,
          ok: isSuccessStatus(response.status),
          latencyMs: performance.now() - started,
          vendor: asVendor(response.headers.get('x-cdn')),
          cache: response.headers.get('x-cache') ?? undefined,
          ageSeconds: age === null ? undefined : Number(age),
        });
      })
      .catch(() => {
        this.reads.push({
          atMs,
          status: 0,
          ok: false,
          latencyMs: performance.now() - started,
          vendor: undefined,
          cache: undefined,
          ageSeconds: undefined,
        });
      })
      .finally(() => {
        this.inFlight -= 1;
        this.pending.delete(read);
      });
    this.pending.add(read);
  }
}

/** Reads in [fromMs, toMs) of the drill clock. */
export function readsBetween(reads: readonly CatalogRead[], fromMs: number, toMs: number): CatalogRead[] {
  return reads.filter((r) => r.atMs >= fromMs && r.atMs < toMs);
}

/** p95 latency (ms, one decimal) of the successful reads; undefined for none. */
export function p95Ms(reads: readonly CatalogRead[]): number | undefined {
  const value = percentile(
    reads.filter((r) => r.ok).map((r) => r.latencyMs),
    95,
  );
  return value === undefined ? undefined : Math.round(value * 10) / 10;
}

/** Reads before the fault, for the "beside steady state" figures. */
export function steadyReads(reads: readonly CatalogRead[], faultStartMs: number): CatalogRead[] {
  return readsBetween(reads, 0, faultStartMs);
}

/** The issue's bar for the public read path through the CDNs (stricter than the drills' MIN_SUCCESS_RATE). */
export const CATALOG_MIN_SUCCESS_RATE = 0.999;

export function catalogSuccessCriterion(name: string, reads: readonly CatalogRead[]): Criterion {
  const succeeded = reads.filter((r) => r.ok).length;
  const failed = reads.filter((r) => !r.ok);
  const statuses = [...new Set(failed.map((r) => r.status))].join(', ');
  return {
    name,
    ok: reads.length > 0 && succeeded / reads.length >= CATALOG_MIN_SUCCESS_RATE,
    detail: `${succeeded}/${reads.length} successful${failed.length > 0 ? ` (failed: ${statuses})` : ''}`,
  };
}

/** Success share in percent, two decimals; undefined for no reads. */
export function successPercent(reads: readonly CatalogRead[]): number | undefined {
  if (reads.length === 0) return undefined;
  return Math.round((reads.filter((r) => r.ok).length / reads.length) * 10_000) / 100;
}

/**
 * Fills every CDN stand-in's cache with each catalog page, through the
 * vendor's own name: in the cloud, storefront traffic keeps both CDNs warm;
 * a short drill's few seconds of reads may not reach every CDN with every
 * page, and a page a CDN never cached cannot be served stale. Says which CDN
 * could not fill its cache, and why.
 */
export async function warmCdnCaches(context: LocalDrillContext, drillName: string): Promise<number> {
  catalogUrlOf(context, drillName);
  const vendors = Object.entries(context.topology.endpoints.cdn?.[context.zone.name]?.vendors ?? {});
  let warmed = 0;
  for (const [vendor, url] of vendors) {
    for (const path of CATALOG_READ_PATHS) {
      const response = await fetch(`${assertLoopback(url ?? '')}${path}`, {
        signal: AbortSignal.timeout(READ_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      if (response.status !== 200) {
        throw new Error(
          `drill ${drillName}: warming ${vendor}'s cache, GET ${path} answered ${response.status}; is zone ${context.zone.name} serving? (npm run drill runs the steady-state checks after this)`,
        );
      }
      warmed += 1;
    }
  }
  return warmed;
}
