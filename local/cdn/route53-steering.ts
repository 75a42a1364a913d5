import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Agent, request as undiciRequest } from 'undici';
import type { CdnVendor, Topology } from '../../lib/topology';
import { HealthChecker } from '../health-checker';
import { listenerServerOptions, LoopbackListener } from '../listener';
import { HOP_BY_HOP } from './origin-client';
import { CDN_LABELS } from './vendor-rules';

/**
 * SIMULATED Route 53 steering of a zone's public catalog name
 * (`catalog.<zone>.<domain>`) between its CDNs, as
 * lib/constructs/cdn-steering-records.ts configures it: one record per CDN
 * carrying the health check of that CDN's own name (the check travels through
 * the CDN to a cell), weighted or failover as the topology says, and Route
 * 53's rules for unhealthy records (decision functions below).
 *
 * Clients resolve through a population of simulated resolvers, each caching
 * its answer for the record TTL (scaled): a request is sent by one of them
 * (round robin) to the CDN it resolved, as if the client had connected to it.
 * A population rather than the one resolver the zone endpoints use: weighted
 * answers are drawn per query, so one cache would send all traffic to one CDN
 * for a whole TTL. A CDN that refuses the connection gets the client a 502
 * problem+json naming it. Every answer carries `x-cdn: <vendor>`.
 */

export const CDN_HEADER = 'x-cdn';

export interface SteeredRecord {
  readonly vendor: CdnVendor;
  readonly weight: number;
  readonly healthy: boolean;
}

/**
 * The weighted records Route 53 draws from ("How Amazon Route 53 chooses
 * records when health checking is configured"): the healthy records with a
 * weight above 0; if none, the healthy records of weight 0 (equally); if none
 * is healthy, all records as if healthy (weight above 0 first).
 */
export function weightedCandidates(records: readonly SteeredRecord[]): readonly SteeredRecord[] {
  const nonZero = records.filter((r) => r.weight > 0);
  const healthyNonZero = nonZero.filter((r) => r.healthy);
  if (healthyNonZero.length > 0) return healthyNonZero;
  const equally = (list: readonly SteeredRecord[]) => list.map((r) => ({ ...r, weight: 1 }));
  const healthyZero = records.filter((r) => r.weight === 0 && r.healthy);
  if (healthyZero.length > 0) return equally(healthyZero);
  return nonZero.length > 0 ? nonZero : equally(records);
}

/** One weighted draw: each candidate with probability weight / sum of weights. */
export function pickWeighted(candidates: readonly SteeredRecord[], random: () => number): CdnVendor {
  const total = candidates.reduce((sum, r) => sum + r.weight, 0);
  let point = random() * total;
  for (const record of candidates) {
    point -= record.weight;
    if (point < 0) return record.vendor;
  }
  return candidates.at(-1)!.vendor;
}

export type SteeringPolicy =
  | { readonly mode: 'weighted'; readonly weights: Readonly<Partial<Record<CdnVendor, number>>> }
  | { readonly mode: 'failover'; readonly primary: CdnVendor; readonly secondary: CdnVendor }
  | { readonly mode: 'single'; readonly vendor: CdnVendor };

/** The policy of `edge.steering` for the zone's CDNs; one CDN: a plain record, no health check decides. */
export function steeringPolicy(
  steering: Topology['edge']['steering'],
  vendors: readonly CdnVendor[],
): SteeringPolicy {
  if (vendors.length === 1) return { mode: 'single', vendor: vendors[0]! };
  if (steering.mode === 'weighted') {
    return { mode: 'weighted', weights: Object.fromEntries(vendors.map((v) => [v, steering.weights[v]])) };
  }
  if (!vendors.includes(steering.primary)) {
    throw new Error(
      `edge.steering.primary: ${steering.primary} does not front this zone; its CDNs are ${vendors.join(', ')}`,
    );
  }
  return {
    mode: 'failover',
    primary: steering.primary,
    secondary: vendors.find((v) => v !== steering.primary)!,
  };
}

/** Every answer Route 53 may give now (weighted: the candidates; failover: the one record it answers). */
export function possibleAnswers(
  policy: SteeringPolicy,
  healthy: (vendor: CdnVendor) => boolean,
): readonly CdnVendor[] {
  switch (policy.mode) {
    case 'single':
      return [policy.vendor];
    case 'failover':
      // Both unhealthy: Route 53 answers the primary.
      return [healthy(policy.primary) || !healthy(policy.secondary) ? policy.primary : policy.secondary];
    case 'weighted':
      return weightedCandidates(
        (Object.keys(policy.weights) as CdnVendor[]).map((vendor) => ({
          vendor,
          weight: policy.weights[vendor] ?? 0,
          healthy: healthy(vendor),
        })),
      ).map((r) => r.vendor);
  }
}

/** One DNS answer under the policy. */
export function answerQuery(
  policy: SteeringPolicy,
  healthy: (vendor: CdnVendor) => boolean,
  random: () => number,
): CdnVendor {
  if (policy.mode !== 'weighted') return possibleAnswers(policy, healthy)[0]!;
  return pickWeighted(
    weightedCandidates(
      (Object.keys(policy.weights) as CdnVendor[]).map((vendor) => ({
        vendor,
        weight: policy.weights[vendor] ?? 0,
        healthy: healthy(vendor),
      })),
    ),
    random,
  );
}

/** One request as the steering saw it: when it arrived, which CDN it went to, what came back. */
export interface SteeredRequest {
  /** Epoch milliseconds at arrival. */
  readonly atMs: number;
  readonly vendor: CdnVendor;
  /** The CDN's status; 502 when the connection to it failed. */
  readonly status: number;
  /** False when the CDN could not be reached at all. */
  readonly reached: boolean;
}

export interface SteeredCdn {
  readonly vendor: CdnVendor;
  /** The CDN stand-in's base URL (its own name, `<vendor>.<zone>.<domain>`). */
  readonly url: string;
}

export interface CatalogSteeringOptions {
  readonly zone: string;
  readonly port: number;
  readonly policy: SteeringPolicy;
  readonly cdns: readonly SteeredCdn[];
  /** The health check of each CDN: path, interval and threshold scaled, Route 53's timeout. */
  readonly check: {
    readonly path: string;
    readonly intervalMs: number;
    readonly failureThreshold: number;
    readonly timeoutMs: number;
  };
  /** The record TTL, scaled (`dns.ttlSeconds`). */
  readonly dnsTtlMs: number;
  /** @default 16 */
  readonly resolvers?: number;
  /** @default Math.random */
  readonly random?: () => number;
  readonly onHealthChange?: (vendor: CdnVendor, healthy: boolean, reason: 'threshold' | 'restart') => void;
}

/** Requests kept for drills (`requestsSince`); older ones are dropped. */
const REQUEST_LOG_LIMIT = 50_000;
/** How long the simulated client waits for the CDN (the CDN's own origin timeouts are far shorter). */
const CLIENT_TIMEOUT_MS = 30_000;

interface ResolverCache {
  vendor: CdnVendor | undefined;
  expiresAtMs: number;
}

export class CatalogSteering {
  readonly url: string;
  private readonly checkers: ReadonlyMap<CdnVendor, HealthChecker>;
  private readonly resolvers: ResolverCache[];
  private readonly random: () => number;
  private readonly listener: LoopbackListener;
  private readonly agent = new Agent({ headersTimeout: CLIENT_TIMEOUT_MS, bodyTimeout: CLIENT_TIMEOUT_MS });
  private readonly log: SteeredRequest[] = [];
  private next = 0;

  constructor(private readonly options: CatalogSteeringOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
    this.random = options.random ?? Math.random;
    this.checkers = new Map(
      options.cdns.map((cdn) => [
        cdn.vendor,
        new HealthChecker({
          name: `${cdn.vendor}.${options.zone}`,
          url: `${cdn.url}${options.check.path}`,
          intervalMs: options.check.intervalMs,
          failureThreshold: options.check.failureThreshold,
          timeoutMs: options.check.timeoutMs,
          onChange: (healthy, reason) => options.onHealthChange?.(cdn.vendor, healthy, reason),
        }),
      ]),
    );
    this.resolvers = Array.from({ length: options.resolvers ?? 16 }, () => ({
      vendor: undefined,
      expiresAtMs: 0,
    }));
    const server = createAdaptorServer({
      serverOptions: listenerServerOptions(),
      hostname: '127.0.0.1',
      fetch: (r: Request) => this.handle(r),
    });
    this.listener = new LoopbackListener(
      server as Server,
      options.port,
      `catalog steering of zone ${options.zone}`,
    );
  }

  get policy(): SteeringPolicy {
    return this.options.policy;
  }

  healthy(vendor: CdnVendor): boolean {
    return this.checkers.get(vendor)?.isHealthy ?? false;
  }

  checkerOf(vendor: CdnVendor): HealthChecker | undefined {
    return this.checkers.get(vendor);
  }

  /** What Route 53 may answer now. */
  answering(): readonly CdnVendor[] {
    return possibleAnswers(this.options.policy, (v) => this.healthy(v));
  }

  async start(): Promise<void> {
    await Promise.all([...this.checkers.values()].map((c) => c.start()));
    await this.listener.open();
  }

  /** Checks recreated from one fresh probe, every resolver cache flushed (after /control/reset). */
  async reset(): Promise<void> {
    await Promise.all([...this.checkers.values()].map((c) => c.restart()));
    this.flush();
  }

  flush(): void {
    for (const resolver of this.resolvers) {
      resolver.vendor = undefined;
      resolver.expiresAtMs = 0;
    }
  }

  async close(): Promise<void> {
    await this.listener.close();
    await Promise.all([...this.checkers.values()].map((c) => c.stop()));
    await this.agent.destroy();
  }

  /** The requests that arrived at or after `sinceMs` (epoch), oldest first. */
  requestsSince(sinceMs: number): readonly SteeredRequest[] {
    return this.log.filter((r) => r.atMs >= sinceMs);
  }

  /** The answer one client's resolver holds, re-resolved when its TTL ran out. */
  resolve(now = Date.now()): CdnVendor {
    const index = this.next++ % this.resolvers.length;
    const resolver = this.resolvers[index]!;
    if (resolver.vendor === undefined || resolver.expiresAtMs <= now) {
      const first = resolver.vendor === undefined;
      resolver.vendor = answerQuery(this.options.policy, (v) => this.healthy(v), this.random);
      // A resolver's first answer lives a share of the TTL, so the population does not expire in step.
      const ttl = first
        ? (this.options.dnsTtlMs * (index + 1)) / this.resolvers.length
        : this.options.dnsTtlMs;
      resolver.expiresAtMs = now + ttl;
    }
    return resolver.vendor;
  }

  readonly handle = async (request: Request): Promise<Response> => {
    const atMs = Date.now();
    const vendor = this.resolve(atMs);
    const cdn = this.options.cdns.find((c) => c.vendor === vendor)!;
    const incoming = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== 'host') headers[name] = value;
    });
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    try {
      const answer = await undiciRequest(`${cdn.url}${incoming.pathname}${incoming.search}`, {
        dispatcher: this.agent,
        method: request.method as 'GET',
        headers,
        ...(hasBody ? { body: Buffer.from(await request.arrayBuffer()) } : {}),
      });
      const body = new Uint8Array(await answer.body.arrayBuffer());
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(answer.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, one);
      }
      responseHeaders.set(CDN_HEADER, vendor);
      this.record({ atMs, vendor, status: answer.statusCode, reached: true });
      const bodyless = request.method === 'HEAD' || answer.statusCode === 204 || answer.statusCode === 304;
      return new Response(bodyless ? null : body, { status: answer.statusCode, headers: responseHeaders });
    } catch (error) {
      this.record({ atMs, vendor, status: 502, reached: false });
      const cause = (error as { code?: string }).code ?? (error as Error).name;
      return new Response(
        JSON.stringify({
          type: 'urn:local:cdn:cdn_unreachable',
          title: 'Bad gateway',
          status: 502,
          code: 'cdn_unreachable',
          detail: `SIMULATED DNS answered ${CDN_LABELS[vendor]} for zone ${this.options.zone}'s catalog and connecting to it failed (${cause}); Route 53 stops answering it once its health check fails and cached answers expire.`,
        }),
        {
          status: 502,
          headers: {
            'content-type': 'application/problem+json',
            'cache-control': 'no-store',
            [CDN_HEADER]: vendor,
          },
        },
      );
    }
  };

  private record(entry: SteeredRequest): void {
    this.log.push(entry);
    if (this.log.length > REQUEST_LOG_LIMIT) this.log.splice(0, this.log.length - REQUEST_LOG_LIMIT);
  }
}
