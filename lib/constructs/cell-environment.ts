import type { z } from 'zod';
import type { cellConfigSchema } from '../../lambdas/core/cell-config';
import { type Cell, type TopologyModel, zoneGeographies } from '../topology';

/** Variable names are the runtime's own schema keys, so a rename there breaks the build here. */
export type CellEnvironmentName = keyof z.input<typeof cellConfigSchema>;
export type CellEnvironment = Partial<Record<CellEnvironmentName, string>>;

/** zone name -> public base URL of that zone's failover name (used by the API for 421 redirects). */
export function zoneEndpoints(model: TopologyModel): Record<string, string> {
  return Object.fromEntries(model.zones.map((zone) => [zone.name, `https://${zone.apiDomainName}`]));
}

/** What every function of a cell knows about itself; resource-specific values are added by the caller. */
export function cellEnvironment(
  model: TopologyModel,
  cell: Cell,
  tableName: string,
  extra: CellEnvironment = {},
): CellEnvironment {
  return {
    APP_NAME: model.appName,
    CELL_ZONE: cell.zone,
    CELL_REGION: cell.region,
    CELL_ROLE: cell.role,
    TABLE_NAME: tableName,
    ZONE_ENDPOINTS: JSON.stringify(zoneEndpoints(model)),
    ZONE_GEOGRAPHIES: JSON.stringify(zoneGeographies(model)),
    AUTH_ISSUER: model.config.auth?.issuer,
    AUTH_AUDIENCE: model.config.auth?.audience,
    AUTH_JWKS_URL: model.config.auth?.jwksUrl,
    ...extra,
  };
}

/** Drop unset entries so the Lambda environment contains only defined strings. */
export function definedEnvironment(env: CellEnvironment): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
