import { type TopologyModel, type Zone, zoneForGeography } from '../lib/topology';
import type { LocalCellServer } from './cell';
import { CLIENT_COUNTRY_HEADER, clientGeography } from './geography';
import type { EdgeTarget } from './edge-proxy';
import type { HealthChecker } from './health-checker';

/**
 * SIMULATED Route 53: geolocation (client country header -> zone, with the
 * topology's geographies and Route 53 precedence) and failover (primary when
 * its health check passes, else the secondary). A client's DNS cache is
 * simulated too: an answer is kept for the record TTL (scaled), which is why
 * the predicted RTO is detection time plus TTL. When no cell of a zone is
 * healthy Route 53 fails open and answers the primary; so does this router.
 * Requests are then forwarded to the chosen cell (local/edge-proxy.ts), as if
 * the client had resolved and connected to it; responses carry
 * `x-served-by: <zone>/<region>`.
 */

import { SERVED_BY_HEADER } from '../lambdas/core/served-by';

export { SERVED_BY_HEADER };

export interface RoutedCell {
  readonly server: LocalCellServer;
  readonly checker: HealthChecker;
}

export interface FailoverEvent {
  readonly zone: string;
  readonly from: string | null;
  readonly to: string;
  readonly at: string;
}

interface CachedAnswer {
  readonly region: string;
  readonly expiresAt: number;
}

export class EdgeRouter {
  private readonly cache = new Map<string, CachedAnswer>();
  private readonly lastAnswer = new Map<string, string>();
  readonly failovers: FailoverEvent[] = [];

  constructor(
    private readonly model: TopologyModel,
    private readonly cells: ReadonlyMap<string, RoutedCell>,
    private readonly dnsTtlMs: number,
    /**
     * Fenced zones: whether a cell's routing control is ON. A cell's record then answers only while its
     * health check passes AND its control is ON, as the CALCULATED check in AWS does.
     * @default every cell's control counts as ON (an unfenced topology)
     */
    private readonly routingControlOn: (zone: string, region: string) => boolean = () => true,
  ) {}

  static key(zone: string, region: string): string {
    return `${zone}/${region}`;
  }

  /** What Route 53 would answer for the zone's failover name right now (no cache). */
  authoritativeAnswer(zone: Zone): { region: string; healthy: boolean } {
    const healthy = (region: string) =>
      (this.cells.get(EdgeRouter.key(zone.name, region))?.checker.isHealthy ?? false) &&
      this.routingControlOn(zone.name, region);
    if (healthy(zone.primary.region)) return { region: zone.primary.region, healthy: true };
    if (zone.secondary && healthy(zone.secondary.region))
      return { region: zone.secondary.region, healthy: true };
    return { region: zone.primary.region, healthy: false };
  }

  /** The region a zone's traffic goes to now, or null when no cell of the zone is healthy. */
  serving(zone: Zone): string | null {
    const answer = this.authoritativeAnswer(zone);
    return answer.healthy ? this.resolve(zone) : null;
  }

  /** The client's view: the cached answer until its TTL runs out. */
  resolve(zone: Zone, now = Date.now()): string {
    const cached = this.cache.get(zone.name);
    if (cached && cached.expiresAt > now) return cached.region;
    const { region } = this.authoritativeAnswer(zone);
    this.cache.set(zone.name, { region, expiresAt: now + this.dnsTtlMs });
    const previous = this.lastAnswer.get(zone.name);
    if (previous !== region) {
      if (previous !== undefined)
        this.failovers.push({ zone: zone.name, from: previous, to: region, at: new Date(now).toISOString() });
      this.lastAnswer.set(zone.name, region);
    }
    return region;
  }

  /** Drops cached answers (after `/control/reset`, so drills start from a clean resolver). */
  flushCache(): void {
    this.cache.clear();
  }

  /** The zone of a client, from its `x-client-country` header (Route 53 geolocation). */
  zoneForCountry(header: string | null | undefined): Zone {
    const { country, continent } = clientGeography(header ?? null);
    return zoneForGeography(this.model, country, continent);
  }

  zoneForRequest(request: Request): Zone {
    return this.zoneForCountry(request.headers.get(CLIENT_COUNTRY_HEADER));
  }

  /** Where a request for the zone goes now (the client's cached answer), or undefined without such a cell. */
  targetFor(zone: Zone): EdgeTarget & { readonly found: boolean } {
    const region = this.resolve(zone);
    const servedBy = EdgeRouter.key(zone.name, region);
    const target = this.cells.get(servedBy);
    return { url: target?.server.url ?? '', servedBy, found: target !== undefined };
  }
}
