import * as z from 'zod';
import { DrillFlagRepository } from '../../adapters/drill-flag-repository';
import { contract, type RouteFamily } from '../http/route';

/**
 * GET /v1/health: what Route 53 polls. One consistent read of the drill flag doubles as the table check,
 * so a healthy answer costs one GetItem. The drill flag is regional: its key carries the region, so a
 * replicated copy never flips the peer cell.
 */

const TABLE_CHECK_TIMEOUT_MS = 1000;

const checkSchema = z.object({
  status: z.enum(['pass', 'fail']),
  detail: z.string().optional(),
  durationMs: z.number(),
});

const healthSchema = z
  .object({
    status: z.enum(['pass', 'fail']),
    reason: z.enum(['drill', 'table_unavailable']).optional(),
    zone: z.string(),
    region: z.string(),
    role: z.enum(['primary', 'secondary']),
    version: z.string(),
    checks: z.object({ table: checkSchema }),
  })
  .meta({ id: 'Health' });

type Health = z.output<typeof healthSchema>;

export const healthContracts = {
  health: contract({
    method: 'get',
    path: '/v1/health',
    operationId: 'health',
    summary: 'Cell health for Route 53: table reachable and drill flag off',
    tag: 'health',
    mutating: false,
    responses: {
      200: { description: 'Healthy', schema: healthSchema },
      503: {
        description: 'Unhealthy (reason drill or table_unavailable)',
        schema: healthSchema,
        contentType: 'application/json',
      },
    },
  }),
};

export const healthRoutes: RouteFamily<typeof healthContracts> = {
  contracts: healthContracts,
  bind: (deps) => {
    const drillFlags = new DrillFlagRepository(deps.table);
    const { config } = deps;
    return {
      health: {
        handle: async () => {
          const started = Date.now();
          let table: Health['checks']['table'];
          let drill = false;
          try {
            drill = await drillFlags.isOn(config.CELL_REGION, AbortSignal.timeout(TABLE_CHECK_TIMEOUT_MS));
            table = { status: 'pass', durationMs: Date.now() - started };
          } catch (error) {
            table = { status: 'fail', detail: (error as Error).name, durationMs: Date.now() - started };
          }
          const healthy = table.status === 'pass' && !drill;
          const reason = drill ? 'drill' : table.status === 'fail' ? 'table_unavailable' : undefined;
          const body: Health = {
            status: healthy ? 'pass' : 'fail',
            ...(reason ? { reason } : {}),
            zone: config.CELL_ZONE,
            region: config.CELL_REGION,
            role: config.CELL_ROLE,
            version: config.APP_VERSION,
            checks: { table },
          };
          return { status: healthy ? 200 : 503, body, headers: { 'Cache-Control': 'no-store' } };
        },
      },
    };
  },
};
