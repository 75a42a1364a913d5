import { type TopologyModel, type Zone, zoneForGeography } from '../lib/topology';
import type { LocalCellServer } from './cell';
import { CLIENT_COUNTRY_HEADER, clientGeography } from './geography';
import type { HealthChecker } from './health-checker';

/**
 * SIMULATED Route 53: geolocation (client country header -> zone, with the
 * topology's geographies and Route 53 precedence) and failover (primary when
 * its health check passes, else the secondary). A client's DNS cache is
 * simulated too: an answer is kept for the record TTL (scaled), which is why
 * the predicted RTO is detection time plus TTL. When no cell of a zone is
 * healthy Route 53 fails open and answers the primary; so does this router.
 * Requests are then proxied to the chosen cell, as if the client had resolved
 * and connected to it; responses carry `x-served-by: <zone>/<region>`.
 */

import { SERVED_BY_HEADER } from '../lambdas/core/served-by';

export { SERVED_BY_HEADER };
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-encoding',
  'proxy-connection',
  'te',
  'trailer',
]);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
/** API Gateway's integration timeout. */
const UPSTREAM_TIMEOUT_MS = 29_000;

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
  ) {}

  static key(zone: string, region: string): string {
    return `${zone}/${region}`;
  }

  /** What Route 53 would answer for the zone's failover name right now (no cache). */
  authoritativeAnswer(zone: Zone): { region: string; healthy: boolean } {
    const healthy = (region: string) =>
      this.cells.get(EdgeRouter.key(zone.name, region))?.checker.isHealthy ?? false;
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

  zoneForRequest(request: Request): Zone {
    const { country, continent } = clientGeography(request.headers.get(CLIENT_COUNTRY_HEADER));
    return zoneForGeography(this.model, country, continent);
  }

  /** Geolocation entry point (api.<domain>). */
  handleGeo = (request: Request): Promise<Response> => this.proxy(request, this.zoneForRequest(request));

  /** A zone's failover name (api.<zone>.<domain>). */
  handlerForZone(zone: Zone): (request: Request) => Promise<Response> {
    return (request) => this.proxy(request, zone);
  }

  private async proxy(request: Request, zone: Zone): Promise<Response> {
    const region = this.resolve(zone);
    const servedBy = EdgeRouter.key(zone.name, region);
    const target = this.cells.get(servedBy);
    const incoming = new URL(request.url);
    if (!target) return problem(502, 'no_cell', `No cell ${servedBy} in this topology`, servedBy);
    const headers = new Headers();
    request.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name)) headers.set(name, value);
    });
    headers.set('x-forwarded-host', incoming.host);
    headers.set('x-forwarded-proto', 'http');
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    try {
      const upstream = await fetch(`${target.server.url}${incoming.pathname}${incoming.search}`, {
        method: request.method,
        headers,
        ...(hasBody ? { body: await request.arrayBuffer() } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
      const responseHeaders = new Headers();
      upstream.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name)) responseHeaders.set(name, value);
      });
      responseHeaders.set(SERVED_BY_HEADER, servedBy);
      const bodyless = request.method === 'HEAD' || NULL_BODY_STATUSES.has(upstream.status);
      const body = bodyless ? null : await upstream.arrayBuffer();
      return new Response(body, { status: upstream.status, headers: responseHeaders });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      return problem(502, 'cell_unreachable', `Cell ${servedBy} did not answer (${cause})`, servedBy);
    }
  }
}

function problem(status: number, code: string, detail: string, servedBy: string): Response {
  return new Response(
    JSON.stringify({ type: `urn:local:edge:${code}`, title: 'Bad gateway', status, code, detail }),
    {
      status,
      headers: { 'content-type': 'application/problem+json', [SERVED_BY_HEADER]: servedBy },
    },
  );
}
