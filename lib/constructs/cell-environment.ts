import { type CellEnvironment, cellEnvironment as environmentOf } from '../../lambdas/core/cell-config';
import { type Cell, cellFacts, type TopologyModel, zoneCells } from '../topology';

export type { CellEnvironment, CellEnvironmentName } from '../../lambdas/core/cell-config';

/** zone name -> public base URL of that zone's failover name (used by the API for 421 redirects). */
export function zoneEndpoints(model: TopologyModel): Record<string, string> {
  return Object.fromEntries(model.zones.map((zone) => [zone.name, `https://${zone.apiDomainName}`]));
}

/** A cell's own public endpoint: its custom domain (api.<region>.<zone>.<domain>). */
export function cellEndpoint(cell: Cell): string {
  return `https://${cell.apiDomainName}`;
}

/**
 * What every function of a cell knows about itself in the cloud; resource-specific
 * values (bus, queue) are added by the caller. The variables come from the
 * runtime's own builder (`cellEnvironment` beside `cellConfigSchema`), which
 * the local topology uses too.
 */
export function cellEnvironment(
  model: TopologyModel,
  cell: Cell,
  tableName: string,
  extra: CellEnvironment = {},
): CellEnvironment {
  return {
    ...environmentOf({
      ...cellFacts(model, cell),
      tableName,
      zoneEndpoints: zoneEndpoints(model),
      zoneCells: zoneCells(model, cell, cellEndpoint),
      ...(model.auth ? { auth: model.auth } : {}),
    }),
    ...extra,
  };
}

/** Drop unset entries so the Lambda environment contains only defined strings. */
export function definedEnvironment(env: CellEnvironment): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
