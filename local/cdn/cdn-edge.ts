import {
  type CdnVendor,
  cdnVendorHostname,
  cdnVendorsOf,
  type ScaledFailoverTiming,
  type TopologyModel,
  type Zone,
} from '../../lib/topology';
import type { CdnZoneState, LocalCdnZone } from '../contract';
import { route53CheckTimeoutMs } from '../health-checker';
import type { ProgressLog } from '../lifecycle';
import type { PortPlan } from '../options';
import { CdnStandIn } from './cdn-stand-in';
import { OriginClient } from './origin-client';
import { CloudflareLoadBalancer, CloudFrontOriginGroup, type OriginCell } from './origin-selection';
import { CatalogSteering, steeringPolicy } from './route53-steering';
import { CDN_LABELS, cacheTtls, frontedPaths, originTimeouts } from './vendor-rules';

/**
 * The local CDN edge (SIMULATED; docs in local/README.md "CDNs"): for every
 * zone a CDN fronts, one stand-in per vendor (cdn-stand-in.ts) and the
 * Route 53 steering of the zone's catalog name between them
 * (route53-steering.ts). Which zones and vendors: `cdnVendorsOf`, the same
 * function the CDK and Terraform apps ask, so a sovereign zone gets none.
 * The control API's CDN faults (local/cdn/control.ts) and `/control/reset`
 * act through this class.
 */

export interface CdnEdgeZone {
  readonly zone: Zone;
  readonly standIns: ReadonlyMap<CdnVendor, CdnStandIn>;
  readonly steering: CatalogSteering;
}

export interface CdnEdgeInput {
  readonly model: TopologyModel;
  readonly timing: ScaledFailoverTiming;
  readonly ports: PortPlan;
  /** Base URL of each cell, by `zone/region`. */
  readonly cellUrls: Readonly<Record<string, string>>;
  readonly step: ProgressLog;
  /** @default Date.now (tests move it) */
  readonly nowMs?: () => number;
}

/** The zones a CDN fronts, with their index in the topology (ports are planned by it). */
function frontedZones(model: TopologyModel): { zone: Zone; index: number; vendors: readonly CdnVendor[] }[] {
  return model.zones
    .map((zone, index) => ({ zone, index, vendors: cdnVendorsOf(model, zone) }))
    .filter((z) => z.vendors.length > 0);
}

export class CdnEdge {
  private constructor(readonly zones: readonly CdnEdgeZone[]) {}

  /** Every port the CDN edge will listen on, for the boot's port check. */
  static plannedPorts(model: TopologyModel, ports: PortPlan): { port: number; what: string }[] {
    return frontedZones(model).flatMap(({ zone, index, vendors }) => [
      { port: ports.catalog(index), what: `catalog steering of zone ${zone.name}` },
      ...vendors.map((vendor) => ({
        port: ports.cdn(vendor, index),
        what: `${CDN_LABELS[vendor]} stand-in for zone ${zone.name}`,
      })),
    ]);
  }

  /** Builds and opens every stand-in, then the steering (its checks go through the stand-ins). */
  static async start(input: CdnEdgeInput): Promise<CdnEdge> {
    const { model, timing, ports, cellUrls, step } = input;
    const fronted = frontedPaths(model);
    const ttls = cacheTtls(model);
    const timeouts = originTimeouts(model);
    const clock = { nowMs: input.nowMs ?? Date.now, timeScale: timing.timeScale };
    const zones: CdnEdgeZone[] = [];
    // Closed in reverse if the boot fails half-way.
    const closers: (() => Promise<void>)[] = [];
    try {
      for (const { zone, index, vendors } of frontedZones(model)) {
        const cells: OriginCell[] = zone.cells.map((cell) => {
          const name = `${cell.zone}/${cell.region}`;
          const url = cellUrls[name];
          if (!url) throw new Error(`CDN stand-in: no local cell ${name} to use as an origin`);
          return { name, url };
        });
        const standIns = new Map<CdnVendor, CdnStandIn>();
        for (const vendor of vendors) {
          const client = new OriginClient(timeouts, `SIMULATED ${CDN_LABELS[vendor]} (local)`);
          const origins =
            vendor === 'cloudfront'
              ? new CloudFrontOriginGroup(cells, client)
              : new CloudflareLoadBalancer(
                  cells,
                  client,
                  {
                    intervalMs: timing.healthCheckIntervalMs,
                    threshold: timing.failureThreshold,
                    timeoutMs: timeouts.readTimeoutMs,
                    healthPath: fronted.healthPath,
                  },
                  (cell, healthy) =>
                    step(`cdn: Cloudflare's monitor sees ${cell} ${healthy ? 'healthy' : 'UNHEALTHY'}`),
                );
          const standIn = new CdnStandIn({
            vendor,
            zone: zone.name,
            hostname: cdnVendorHostname(zone, vendor),
            zoneApi: { name: zone.apiDomainName, localUrl: `http://127.0.0.1:${ports.zone(index)}` },
            port: ports.cdn(vendor, index),
            fronted,
            ttls,
            clock,
            origins,
            closeOrigins: () => client.close(),
          });
          closers.push(() => standIn.close());
          standIns.set(vendor, standIn);
          await standIn.open();
        }
        const steering = new CatalogSteering({
          zone: zone.name,
          port: ports.catalog(index),
          policy: steeringPolicy(model.config.edge.steering, vendors),
          cdns: vendors.map((vendor) => ({ vendor, url: standIns.get(vendor)!.url })),
          check: {
            path: fronted.healthPath,
            intervalMs: timing.healthCheckIntervalMs,
            failureThreshold: timing.failureThreshold,
            timeoutMs: route53CheckTimeoutMs(timing),
          },
          dnsTtlMs: timing.dnsTtlMs,
          onHealthChange: (vendor, healthy, reason) =>
            step(
              reason === 'restart'
                ? `cdn: Route 53 check of ${cdnVendorHostname(zone, vendor)} recreated by reset: ${healthy ? 'healthy' : 'UNHEALTHY'}`
                : `cdn: Route 53 check of ${cdnVendorHostname(zone, vendor)} is now ${healthy ? 'healthy' : 'UNHEALTHY'}; catalog.${zone.subdomain} answers ${steering.answering().join(' and ')}`,
            ),
        });
        closers.push(() => steering.close());
        await steering.start();
        zones.push({ zone, standIns, steering });
      }
    } catch (error) {
      for (const close of closers.reverse()) await close().catch(() => undefined);
      throw error;
    }
    const edge = new CdnEdge(zones);
    if (zones.length > 0) {
      step(
        `CDNs (SIMULATED): ${zones
          .map(
            (z) =>
              `zone ${z.zone.name}: catalog ${z.steering.url} (${z.steering.policy.mode}), ${[...z.standIns.values()].map((s) => `${CDN_LABELS[s.vendor]} ${s.url}`).join(', ')}`,
          )
          .join('; ')}`,
      );
    }
    return edge;
  }

  /** The vendors fronting at least one zone. */
  vendors(): readonly CdnVendor[] {
    return [...new Set(this.zones.flatMap((z) => [...z.standIns.keys()]))];
  }

  standInsOf(vendor: CdnVendor): readonly CdnStandIn[] {
    return this.zones.flatMap((z) => {
      const standIn = z.standIns.get(vendor);
      return standIn ? [standIn] : [];
    });
  }

  zone(name: string): CdnEdgeZone | undefined {
    return this.zones.find((z) => z.zone.name === name);
  }

  endpoints(): Record<string, LocalCdnZone> {
    return Object.fromEntries(
      this.zones.map((z) => [
        z.zone.name,
        {
          catalog: z.steering.url,
          vendors: Object.fromEntries([...z.standIns].map(([vendor, standIn]) => [vendor, standIn.url])),
        },
      ]),
    );
  }

  state(): CdnZoneState[] {
    return this.zones.map(({ zone, standIns, steering }) => {
      const policy = steering.policy;
      return {
        zone: zone.name,
        catalog: steering.url,
        steering: {
          mode: policy.mode,
          weights: policy.mode === 'weighted' ? { ...policy.weights } : {},
          ...(policy.mode === 'failover' ? { primary: policy.primary } : {}),
        },
        answering: [...steering.answering()],
        vendors: [...standIns.values()].map((s) => s.state(steering.healthy(s.vendor))),
      };
    });
  }

  async stopVendor(vendor: CdnVendor): Promise<void> {
    await Promise.all(this.standInsOf(vendor).map((s) => s.stop()));
  }

  async startVendor(vendor: CdnVendor): Promise<void> {
    await Promise.all(this.standInsOf(vendor).map((s) => s.start()));
  }

  setLatency(vendor: CdnVendor, ms: number): void {
    for (const standIn of this.standInsOf(vendor)) standIn.faults.addedLatencyMs = ms;
  }

  /** Entries dropped across the vendor's zones. */
  purge(vendor: CdnVendor, paths?: readonly string[]): number {
    return this.standInsOf(vendor).reduce((n, s) => n + s.purge(paths), 0);
  }

  /**
   * Every CDN fault rolled back (listening, no latency), then Cloudflare's
   * monitors and Route 53's checks recreated from one fresh probe and the
   * resolvers flushed, so a drill starts clean. Caches are kept: they are
   * state, not a fault (purge them explicitly).
   */
  async reset(): Promise<void> {
    const standIns = this.zones.flatMap((z) => [...z.standIns.values()]);
    await Promise.all(standIns.map((s) => s.reset()));
    await Promise.all(this.zones.map((z) => z.steering.reset()));
  }

  async close(): Promise<void> {
    for (const z of [...this.zones].reverse()) {
      await z.steering.close();
      for (const standIn of z.standIns.values()) await standIn.close();
    }
  }
}
