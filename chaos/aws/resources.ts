import { CELL_ALARMS, cellAlarmName } from '../../lib/constructs/resource-names';
import { drillStackName } from '../../lib/stacks/drill-stack';
import { routingStackName } from '../../lib/stacks/global-routing-stack';
import type { Cell, TopologyModel, Zone } from '../../lib/topology';
import { loadGeneratorStackName } from '../../loadtests/engine/contract';
import type { AwsFaultMechanism } from './args';

/**
 * The deployed resources an AWS drill of a zone relies on, named by lib/'s
 * naming functions from the topology model (never typed by hand): the stacks
 * that must be complete, the alarms that must be OK before and stay OK during
 * the drill.
 */

export interface RequiredStack {
  readonly name: string;
  readonly region: string;
  /** Why the drill needs it, said when it is missing. */
  readonly role: string;
  /** The command that deploys it. */
  readonly deploy: string;
}

export function requiredStacks(
  model: TopologyModel,
  zone: Zone,
  loadRegions: readonly string[],
  mechanism: AwsFaultMechanism,
): RequiredStack[] {
  const routing = routingStackName(model);
  return [
    ...zone.cells.map((cell) => ({
      name: cell.stackName,
      region: cell.region,
      role: `${cell.role} cell of zone ${zone.name}`,
      deploy: `npx cdk deploy ${cell.stackName}`,
    })),
    {
      name: routing,
      region: model.controlRegion,
      role: 'Route 53 health checks and failover records',
      deploy: `npx cdk deploy ${routing}`,
    },
    ...(mechanism === 'fis'
      ? [
          {
            name: drillStackName(model, zone.name),
            region: zone.primary.region,
            role: 'FIS experiment templates (--fault fis)',
            deploy: `npx cdk deploy ${drillStackName(model, zone.name)}`,
          },
        ]
      : []),
    ...loadRegions.map((region) => ({
      name: loadGeneratorStackName(model.appName, region),
      region,
      role: `k6 load generators in ${region}`,
      deploy: `npx cdk deploy ${loadGeneratorStackName(model.appName, region)} -c loadGenerators=${loadRegions.join(',')}`,
    })),
  ];
}

/** A cell's alarms (lib/constructs/cell-monitoring.ts names them by resource-names.ts). */
export interface CellAlarmNames {
  readonly cell: Cell;
  /** Alarms every such cell has, by exact name. */
  readonly exact: readonly string[];
  /** Indexed alarms (one per dead-letter queue), by name prefix; at least one each. */
  readonly prefixes: readonly string[];
  /** The API's 5xx-rate and p99 alarms: the steady state reads their metrics. */
  readonly api5xxRate: string;
  readonly apiP99Latency: string;
}

export function cellAlarms(zone: Zone, cell: Cell): CellAlarmNames {
  const replicates = cell.role === 'primary' && zone.secondary !== undefined;
  return {
    cell,
    exact: [
      cellAlarmName(cell, CELL_ALARMS.api5xxRate),
      cellAlarmName(cell, CELL_ALARMS.apiP99Latency),
      cellAlarmName(cell, CELL_ALARMS.streamIteratorAge),
      ...(replicates ? [cellAlarmName(cell, CELL_ALARMS.replicationLatency)] : []),
    ],
    prefixes: [`${cellAlarmName(cell, CELL_ALARMS.deadLetterDepth)}-`],
    api5xxRate: cellAlarmName(cell, CELL_ALARMS.api5xxRate),
    apiP99Latency: cellAlarmName(cell, CELL_ALARMS.apiP99Latency),
  };
}

/**
 * The alarms that abort the drill: every alarm of the zone except the failed
 * cell's API alarms, which are the fault's expected effect (a cell whose API
 * fails answers 5xx). The relay falling behind, a dead-letter queue filling or
 * the survivor's API degrading are harm beyond the hypothesis: stop at once.
 */
export function abortAlarmNames(
  alarmsByCell: readonly { readonly names: CellAlarmNames; readonly found: readonly string[] }[],
  failedCell: string | undefined,
): Map<string, string[]> {
  const byRegion = new Map<string, string[]>();
  for (const { names, found } of alarmsByCell) {
    const failed = failedCell === `${names.cell.zone}/${names.cell.region}`;
    const expected = failed ? new Set([names.api5xxRate, names.apiP99Latency]) : new Set<string>();
    const watched = found.filter((name) => !expected.has(name));
    byRegion.set(names.cell.region, [...(byRegion.get(names.cell.region) ?? []), ...watched]);
  }
  return byRegion;
}
