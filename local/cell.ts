import type { Server } from 'node:http';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { type ApiDependencies, createApp } from '../lambdas/api/app';
import { type CellConfig, cellConfigSchema } from '../lambdas/core/cell-config';
import { type Cell, type TopologyModel, zoneGeographies } from '../lib/topology';
import { commerceTableName } from '../lambdas/adapters/table-definitions';
import {
  closeIfUnreusable,
  DEFAULT_REQUEST_TIMEOUT_MS,
  listenerServerOptions,
  LoopbackListener,
} from './listener';

/**
 * One cell's API on its own loopback port: the production Hono app (stand-in
 * for API Gateway + Lambda), behind a SIMULATED fault wrapper the control API
 * drives: stop (listener closed: connection refused), forced unhealthy
 * (/v1/health answers 503 without touching the app), added latency.
 */

export interface CellFaults {
  running: boolean;
  forcedUnhealthy: boolean;
  addedLatencyMs: number;
}

const NO_FAULTS: CellFaults = { running: true, forcedUnhealthy: false, addedLatencyMs: 0 };

/** The environment the CDK construct gives the cell's Lambda, with local values; validated by the same schema. */
export function cellEnvironment(
  model: TopologyModel,
  cell: Cell,
  zoneEndpoints: Record<string, string>,
): Record<string, string> {
  return {
    APP_NAME: model.appName,
    CELL_ZONE: cell.zone,
    CELL_REGION: cell.region,
    CELL_ROLE: cell.role,
    TABLE_NAME: commerceTableName(model.appName, cell.zone),
    APP_VERSION: 'local',
    ZONE_ENDPOINTS: JSON.stringify(zoneEndpoints),
    ZONE_GEOGRAPHIES: JSON.stringify(zoneGeographies(model)),
  };
}

export function cellConfig(env: Record<string, string>): CellConfig {
  return cellConfigSchema.parse(env);
}

export class LocalCellServer {
  readonly faults: CellFaults = { ...NO_FAULTS };
  readonly url: string;
  private readonly listener: LoopbackListener;

  constructor(
    readonly cell: Cell,
    readonly config: CellConfig,
    readonly port: number,
    apiDependencies: ApiDependencies,
    private readonly healthPath: string,
    requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {
    const app = createApp(apiDependencies);
    const server = createAdaptorServer({
      hostname: '127.0.0.1',
      serverOptions: listenerServerOptions(requestTimeoutMs),
      fetch: async (request: Request, env: HttpBindings | Http2Bindings) => {
        if (this.faults.addedLatencyMs > 0) await delay(this.faults.addedLatencyMs);
        if (this.faults.forcedUnhealthy && new URL(request.url).pathname === this.healthPath) {
          return Response.json(
            {
              status: 'fail',
              reason: 'forced_unhealthy',
              simulated: true,
              zone: cell.zone,
              region: cell.region,
            },
            { status: 503, headers: { 'cache-control': 'no-store' } },
          );
        }
        return closeIfUnreusable(await app.fetch(request, env), env.incoming);
      },
    }) as Server;
    this.url = `http://127.0.0.1:${port}`;
    this.listener = new LoopbackListener(server, port, `cell ${cell.zone}/${cell.region}`);
  }

  get name(): string {
    return `${this.cell.zone}/${this.cell.region}`;
  }

  get listening(): boolean {
    return this.listener.isListening;
  }

  async start(): Promise<void> {
    await this.listener.open();
    this.faults.running = true;
  }

  async stop(): Promise<void> {
    this.faults.running = false;
    await this.listener.close();
  }

  /** Every fault rolled back: listening, healthy, no added latency. */
  async reset(): Promise<void> {
    this.faults.forcedUnhealthy = false;
    this.faults.addedLatencyMs = 0;
    await this.start();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
