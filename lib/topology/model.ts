import { commerceTableName } from '../../lambdas/adapters/table-definitions';
import type { CellFacts } from '../../lambdas/core/cell-config';
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

/**
 * How fast a zone fails over, in cloud seconds: Route 53 marks the primary
 * unhealthy after `intervalSeconds x failureThreshold`, and clients keep the
 * cached answer for the TTL. Every figure about failover timing (stacks,
 * local topology, drills, demo) is read from here.
 */
export interface FailoverTiming {
  readonly healthCheck: Topology['healthCheck'];
  /** TTL of the zone failover records (at most MAX_FAILOVER_TTL_SECONDS). */
  readonly dnsTtlSeconds: number;
  /** interval x threshold + TTL. */
  readonly predictedRtoSeconds: number;
}

export interface TopologyModel {
  /** The validated file. Consumers ask the model's fields and functions; read `config` only for what they do not answer. */
  readonly config: Topology;
  readonly appName: string;
  readonly domain: string;
  /** Geolocation entry point for all clients: api.<domain>. */
  readonly apiDomainName: string;
  readonly zones: readonly Zone[];
  readonly cells: readonly Cell[];
  /** Partition and region that host Route 53 and the CDN stack (Route 53 and CloudFront are global in `aws`). */
  readonly controlRegion: string;
  readonly failover: FailoverTiming;
  /** The identity provider cells verify bearer tokens against; absent: every protected route answers 401. */
  readonly auth?: Topology['auth'];
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
    failover: {
      healthCheck: config.healthCheck,
      dnsTtlSeconds: config.dns.ttlSeconds,
      predictedRtoSeconds: predictedRtoSeconds(config),
    },
    ...(config.auth ? { auth: config.auth } : {}),
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
export function predictedRtoSeconds(config: Pick<Topology, 'healthCheck' | 'dns'>): number {
  return config.healthCheck.intervalSeconds * config.healthCheck.failureThreshold + config.dns.ttlSeconds;
}

/**
 * Failover timing under a time scale (the local topology runs 0.1: 10 s in the
 * cloud is 1 s here), beside the cloud figures it stands for. The one place
 * the predicted RTO is scaled; drills, the demo and /control/state read it.
 */
export interface ScaledFailoverTiming {
  readonly timeScale: number;
  readonly healthCheckIntervalMs: number;
  readonly cloudHealthCheckIntervalSeconds: number;
  readonly failureThreshold: number;
  readonly dnsTtlMs: number;
  readonly cloudDnsTtlSeconds: number;
  /** Predicted RTO under the time scale, in seconds (millisecond resolution). */
  readonly predictedRtoScaledSeconds: number;
  readonly predictedRtoCloudSeconds: number;
}

export function scaledFailoverTiming(
  model: Pick<TopologyModel, 'failover'>,
  timeScale: number,
): ScaledFailoverTiming {
  const { healthCheck, dnsTtlSeconds, predictedRtoSeconds: rto } = model.failover;
  const scaledMs = (seconds: number) => Math.round(seconds * 1000 * timeScale);
  return {
    timeScale,
    healthCheckIntervalMs: scaledMs(healthCheck.intervalSeconds),
    cloudHealthCheckIntervalSeconds: healthCheck.intervalSeconds,
    failureThreshold: healthCheck.failureThreshold,
    dnsTtlMs: scaledMs(dnsTtlSeconds),
    cloudDnsTtlSeconds: dnsTtlSeconds,
    predictedRtoScaledSeconds: scaledMs(rto) / 1000,
    predictedRtoCloudSeconds: rto,
  };
}

/**
 * What the model says about a cell's runtime (lambdas/core/cell-config.ts
 * `cellEnvironment` turns it into variables); where the cell runs adds its
 * zone endpoints, identity provider and resources.
 */
/**
 * The cells of `cell`'s zone, each with the endpoint that reaches it directly (`endpointOf`: the
 * cell's custom domain in the cloud, its loopback port locally): what GET /v1/discovery answers.
 */
export function zoneCells(
  model: TopologyModel,
  cell: Pick<Cell, 'zone'>,
  endpointOf: (cell: Cell) => string,
): CellFacts['zoneCells'] {
  return zoneByName(model, cell.zone).cells.map((c) => ({
    region: c.region,
    role: c.role,
    endpoint: endpointOf(c),
  }));
}

export function cellFacts(
  model: TopologyModel,
  cell: Cell,
): Pick<CellFacts, 'appName' | 'zone' | 'region' | 'role' | 'tableName' | 'zoneGeographies'> {
  return {
    appName: model.appName,
    zone: cell.zone,
    region: cell.region,
    role: cell.role,
    tableName: commerceTableName(model.appName, cell.zone),
    zoneGeographies: zoneGeographies(model),
  };
}
