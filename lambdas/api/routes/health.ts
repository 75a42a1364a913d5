import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../adapters/table';
import { Hono } from 'hono';
import * as z from 'zod';
import type { ApiDependencies } from '../app';
import type { RouteSpec } from '../http/route';

/** Key of the cell's drill flag item. The flag makes /v1/health answer 503 so Route 53 fails the cell over. */
export { DRILL_FLAG_KEY } from '../../adapters/table';
const TABLE_CHECK_TIMEOUT_MS = 1000;

type Check = { status: 'pass' | 'fail'; detail?: string; durationMs: number };

/**
 * GET /v1/health: what Route 53 polls. One consistent read of the drill flag
 * doubles as the table check, so a healthy answer costs one GetItem.
 * The drill flag is regional (not replicated semantics): the item key carries the region.
 */
export function healthRoutes(deps: ApiDependencies): Hono {
  const routes = new Hono();
  routes.get('/health', async (c) => {
    const { config } = deps;
    const started = Date.now();
    let table: Check;
    let drill = false;
    try {
      const result = await deps.documentClient.send(
        new GetCommand({
          TableName: config.TABLE_NAME,
          Key: keys.drillFlag(config.CELL_REGION),
          ConsistentRead: true,
        }),
        { abortSignal: AbortSignal.timeout(TABLE_CHECK_TIMEOUT_MS) },
      );
      drill = result.Item?.enabled === true;
      table = { status: 'pass', durationMs: Date.now() - started };
    } catch (error) {
      table = { status: 'fail', detail: (error as Error).name, durationMs: Date.now() - started };
    }
    const healthy = table.status === 'pass' && !drill;
    const reason = drill ? 'drill' : table.status === 'fail' ? 'table_unavailable' : undefined;
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        status: healthy ? 'pass' : 'fail',
        ...(reason ? { reason } : {}),
        zone: config.CELL_ZONE,
        region: config.CELL_REGION,
        role: config.CELL_ROLE,
        version: config.APP_VERSION,
        checks: { table },
      },
      healthy ? 200 : 503,
    );
  });
  return routes;
}

const healthSchema = z
  .object({
    status: z.enum(['pass', 'fail']),
    reason: z.enum(['drill', 'table_unavailable']).optional(),
    zone: z.string(),
    region: z.string(),
    role: z.enum(['primary', 'secondary']),
    version: z.string(),
    checks: z.object({
      table: z.object({
        status: z.enum(['pass', 'fail']),
        detail: z.string().optional(),
        durationMs: z.number(),
      }),
    }),
  })
  .meta({ id: 'Health' });

/** Description of GET /v1/health for the OpenAPI document (the route itself is the plain Hono handler above). */
export const healthRouteDoc: RouteSpec = {
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
  handler: async () => {
    throw new Error('documentation only');
  },
};
