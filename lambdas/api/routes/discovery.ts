import * as z from 'zod';
import { zoneCellSchema } from '../../core/cell-config';
import { contract, type RouteFamily } from '../http/route';

/**
 * GET /v1/discovery (public): where a client finds the answering cell's zone, that zone's cells and every
 * zone's failover endpoint, so it can fail over between the cells of its zone without waiting for DNS.
 * Generated from what the cell is told about the topology (ZONE_CELLS, ZONE_ENDPOINTS, set by the same
 * builder in the cloud and locally): there is no second list to keep.
 */

/** Clients refresh the document when it expires; the topology changes at deploy time, not per minute. */
export const DISCOVERY_CACHE_CONTROL = 'public, max-age=60';

const httpUrl = z.string().url();

export const discoverySchema = z
  .object({
    zone: z.string().describe('The zone of the cell that answered'),
    region: z.string().describe('The region of the cell that answered'),
    zoneEndpoint: httpUrl.describe("The zone's failover endpoint (DNS decides the cell)"),
    cells: z
      .array(zoneCellSchema)
      .min(1)
      .describe("The zone's cells with their own endpoints; a client never leaves its zone"),
    zones: z
      .array(z.object({ zone: z.string(), endpoint: httpUrl }))
      .describe("Every zone's failover endpoint (a 421 names the customer's)"),
  })
  .meta({ id: 'Discovery' });

export type Discovery = z.output<typeof discoverySchema>;

export const discoveryContracts = {
  discovery: contract({
    method: 'get',
    path: '/v1/discovery',
    operationId: 'discovery',
    summary: "The answering cell's zone, its cells and every zone's endpoint (from the topology)",
    tag: 'discovery',
    mutating: false,
    responses: {
      200: {
        description: 'The discovery document',
        schema: discoverySchema,
        headers: { 'Cache-Control': { description: DISCOVERY_CACHE_CONTROL } },
      },
    },
  }),
};

export const discoveryRoutes: RouteFamily<typeof discoveryContracts> = {
  contracts: discoveryContracts,
  bind: ({ config }) => {
    const zoneEndpoint = config.ZONE_ENDPOINTS[config.CELL_ZONE];
    const cells = config.ZONE_CELLS.length > 0 ? config.ZONE_CELLS : undefined;
    return {
      discovery: {
        handle: async () => {
          // The deployment sets both (lib/constructs/cell-environment.ts, local/cell.ts); without them the
          // cell cannot describe its zone, which is its operator's to fix, not the client's.
          if (!zoneEndpoint || !cells)
            throw new Error(
              `cell ${config.CELL_ZONE}/${config.CELL_REGION} has no ${zoneEndpoint ? 'ZONE_CELLS' : `ZONE_ENDPOINTS entry for its zone`}; its deployment sets these variables (cellEnvironment)`,
            );
          const body: Discovery = {
            zone: config.CELL_ZONE,
            region: config.CELL_REGION,
            zoneEndpoint,
            cells,
            zones: Object.entries(config.ZONE_ENDPOINTS).map(([zone, endpoint]) => ({ zone, endpoint })),
          };
          return { status: 200, body, headers: { 'Cache-Control': DISCOVERY_CACHE_CONTROL } };
        },
      },
    };
  },
};
