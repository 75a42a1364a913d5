import { commerceTableName } from '../../lambdas/adapters/table-definitions';
import type { Cell, TopologyModel, Zone } from '../../lib/topology';
import { DrillFlagInjector } from '../injectors/drill-flag';
import { FisExperimentInjector } from '../injectors/fis';
import { Route53HealthCheckInjector } from '../injectors/route53';
import type { FaultInjector } from '../injectors/types';
import type { AwsFaultMechanism } from './args';
import type { AwsClients } from './clients';

/**
 * What a drill's AWS half (Drill.aws, chaos/drill.ts) is given: the zone, and
 * injectors for the resources preflight resolved. A drill says what it breaks
 * ("this cell down"); the operator's --fault says how (Route 53 inverted
 * health check, drill flag, FIS), so one drill file serves every mechanism.
 */

/** What preflight found that the faults need: ids AWS generates, never derivable from names. */
export interface ResolvedFaultTargets {
  /** Route 53 health check id per cell (`zone/region`), found by the cell's domain name. */
  readonly healthCheckIds: ReadonlyMap<string, string>;
  /** The zone DrillStack's Lambda-errors experiment template (only looked up for --fault fis). */
  readonly lambdaErrorsTemplateId?: string;
}

export interface AwsFaults {
  /** The cell stops being served: its health check fails (route53, drill-flag) or its API fails (fis). */
  cellDown(cell: Cell): FaultInjector;
}

export interface AwsDrillContext {
  readonly model: TopologyModel;
  readonly zone: Zone;
  /** Names the drill's fault (FIS client token and tags, drill flag reason). */
  readonly runId: string;
  readonly mechanism: AwsFaultMechanism;
  readonly faults: AwsFaults;
}

export const cellKey = (cell: Pick<Cell, 'zone' | 'region'>) => `${cell.zone}/${cell.region}`;

export function awsFaults(
  model: TopologyModel,
  zone: Zone,
  mechanism: AwsFaultMechanism,
  targets: ResolvedFaultTargets,
  clients: AwsClients,
  runId: string,
): AwsFaults {
  return {
    cellDown(cell) {
      switch (mechanism) {
        case 'route53': {
          const id = targets.healthCheckIds.get(cellKey(cell));
          if (!id)
            throw new Error(`no Route 53 health check known for ${cellKey(cell)}; preflight resolves it`);
          return new Route53HealthCheckInjector(clients.route53(model.controlRegion), id);
        }
        case 'drill-flag':
          return new DrillFlagInjector(
            clients.dynamoDb(cell.region),
            commerceTableName(model.appName, zone.name),
            cell.region,
            `drill ${runId}`,
          );
        case 'fis': {
          if (cell.region !== zone.primary.region || !targets.lambdaErrorsTemplateId) {
            throw new Error(
              `--fault fis: the zone's DrillStack targets its primary cell (${cellKey(zone.primary)}) only; use --fault route53 or drill-flag for ${cellKey(cell)}`,
            );
          }
          return new FisExperimentInjector(clients.fis(cell.region), targets.lambdaErrorsTemplateId, runId);
        }
      }
    },
  };
}
