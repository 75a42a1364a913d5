import { zoneNameForGeography } from '../../lambdas/core/geography';
import type { FencingMode } from './operations-schema';
import { PARTITION_CAPABILITIES, type Partition, regionFacts } from './regions';
import type { Topology, ZoneConfig } from './schema';

/**
 * Facts derived from a validated topology. Every consumer (stacks, residency
 * rules, the local topology, drills, load profiles) asks these functions
 * instead of re-deriving names, roles or partitions on its own.
 */

export type CellRole = 'primary' | 'secondary';

export interface Cell {
  readonly zone: string;
  readonly region: string;
  readonly role: CellRole;
  readonly partition: Partition;
  readonly account: string;
  /** Regional custom domain of this cell's API: api.<region>.<zone>.<domain>. */
  readonly apiDomainName: string;
  /** CloudFormation stack name of this cell. */
  readonly stackName: string;
  /** The zone's other cell, if the zone has two. */
  readonly peerRegion?: string;
}

export interface Zone {
  readonly name: string;
  readonly residency: ZoneConfig['residency'];
  readonly sovereign: boolean;
  readonly partition: Partition;
  readonly account: string;
  readonly geographies: readonly string[];
  /** Regions this zone's data may live in (primary first). */
  readonly regions: readonly string[];
  readonly primary: Cell;
  readonly secondary?: Cell;
  readonly cells: readonly Cell[];
  /** Failover name clients of this zone resolve: api.<zone>.<domain>. */
  readonly apiDomainName: string;
  /** DNS sub-domain owned by this zone: <zone>.<domain> (delegated for sovereign zones). */
  readonly subdomain: string;
  /** Name servers of the zone's own hosted zone, when delegated and known. */
  readonly delegatedNameServers?: readonly string[];
  /**
   * Writer fencing: `arc` when the zone has a secondary and Route 53 ARC routing controls decide which
   * cell may write (failover.fencing); `none` otherwise.
   */
  readonly fencing: FencingMode;
}

export interface TopologyModel {
  readonly config: Topology;
  readonly appName: string;
  readonly domain: string;
  /** Geolocation entry point for all clients: api.<domain>. */
  readonly apiDomainName: string;
  readonly zones: readonly Zone[];
  readonly cells: readonly Cell[];
  /** Partition and region that host Route 53 and the CDN stack (Route 53 and CloudFront are global in `aws`). */
  readonly controlRegion: string;
}

/** Route 53 and CloudFront's control planes, and ACM certificates for CloudFront, live in us-east-1. */
export const CONTROL_REGION = 'us-east-1';
/** Route 53 ARC's control plane (clusters, control panels, routing controls) is served only from us-west-2. */
export const ARC_CONTROL_REGION = 'us-west-2';

/**
 * A zone's writer fencing: the topology's `failover.fencing`, or by default `arc` where it means
 * something (a secondary to fail over to) and the partition has ARC. A zone without a secondary has
 * one writer by construction, so it is never fenced.
 */
export function zoneFencing(config: Topology, zone: ZoneConfig, partition: Partition): FencingMode {
  if (zone.secondaryRegion === undefined || !PARTITION_CAPABILITIES[partition].arc) return 'none';
  return config.failover.fencing ?? 'arc';
}

export function partitionOf(region: string): Partition {
  const facts = regionFacts(region);
  if (!facts) throw new Error(`Unknown region ${region}; the topology schema should have rejected it`);
  return facts.partition;
}

export function cellStackName(appName: string, zone: string, region: string): string {
  return `${appName}-cell-${zone}-${region}`;
}

export function cellApiDomainName(domain: string, zone: string, region: string): string {
  return `api.${region}.${zone}.${domain}`;
}

export function buildModel(config: Topology): TopologyModel {
  const zones = config.zones.map((zoneConfig): Zone => {
    const partition = partitionOf(zoneConfig.primaryRegion);
    const account = config.accounts[partition]!;
    const makeCell = (region: string, role: CellRole, peerRegion?: string): Cell => ({
      zone: zoneConfig.name,
      region,
      role,
      partition,
      account,
      apiDomainName: cellApiDomainName(config.domain, zoneConfig.name, region),
      stackName: cellStackName(config.appName, zoneConfig.name, region),
      ...(peerRegion ? { peerRegion } : {}),
    });
    const primary = makeCell(zoneConfig.primaryRegion, 'primary', zoneConfig.secondaryRegion);
    const secondary = zoneConfig.secondaryRegion
      ? makeCell(zoneConfig.secondaryRegion, 'secondary', zoneConfig.primaryRegion)
      : undefined;
    const cells = secondary ? [primary, secondary] : [primary];
    const subdomain = `${zoneConfig.name}.${config.domain}`;
    return {
      name: zoneConfig.name,
      residency: zoneConfig.residency,
      sovereign: zoneConfig.sovereign,
      partition,
      account,
      geographies: zoneConfig.geographies,
      regions: cells.map((c) => c.region),
      primary,
      ...(secondary ? { secondary } : {}),
      cells,
      apiDomainName: `api.${subdomain}`,
      subdomain,
      ...(zoneConfig.delegatedNameServers ? { delegatedNameServers: zoneConfig.delegatedNameServers } : {}),
      fencing: zoneFencing(config, zoneConfig, partition),
    };
  });

  return {
    config,
    appName: config.appName,
    domain: config.domain,
    apiDomainName: `api.${config.domain}`,
    zones,
    cells: zones.flatMap((z) => z.cells),
    controlRegion: CONTROL_REGION,
  };
}

export function zoneByName(model: TopologyModel, name: string): Zone {
  const zone = model.zones.find((z) => z.name === name);
  if (!zone) throw new Error(`No zone named ${name}; zones are ${model.zones.map((z) => z.name).join(', ')}`);
  return zone;
}

/** The zone that serves a client country, following Route 53 geolocation precedence: country, continent, default. */
export function zoneForGeography(
  model: TopologyModel,
  country: string | undefined,
  continent: string | undefined,
): Zone {
  // The schema guarantees one zone serves `default`, so a zone always matches.
  return zoneByName(model, zoneNameForGeography(zoneGeographies(model), country, continent)!);
}

/**
 * Zones whose geographies are published under the entry point api.<domain> (geolocation records in the
 * routing stack). A sovereign zone's cells cannot present api.<domain>: its certificate would have to be
 * validated in the other partition's hosted zone. Its clients use api.<zone>.<domain>; from its
 * geographies, api.<domain> answers with the default zone, which serves the public catalog and sends a
 * customer homed in the sovereign zone there (421 with the zone's endpoint) before writing anything.
 */
export function entryPointZones(model: TopologyModel): readonly Zone[] {
  return model.zones.filter((zone) => !zone.sovereign);
}

/** zone name -> the geographies it serves: how the API decides a new customer's home zone. */
export function zoneGeographies(model: TopologyModel): Record<string, readonly string[]> {
  return Object.fromEntries(model.zones.map((zone) => [zone.name, zone.geographies]));
}

/** Predicted RTO in seconds: time for Route 53 to mark the primary unhealthy plus the time cached answers live. */
export function predictedRtoSeconds(config: Topology): number {
  return config.healthCheck.intervalSeconds * config.healthCheck.failureThreshold + config.dns.ttlSeconds;
}
