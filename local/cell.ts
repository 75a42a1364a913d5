import type { Server } from 'node:http';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { type ApiDependencies, createApp } from '../lambdas/api/app';
import {
  type CellAuthFacts,
  type CellConfig,
  cellConfigSchema,
  type CellFacts,
  cellEnvironment,
} from '../lambdas/core/cell-config';
import { type Cell, cellFacts, type TopologyModel, zoneCells } from '../lib/topology';
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

/**
 * A local cell's configuration: the variables the CDK construct gives the
 * cell's Lambda (the same builder, `cellEnvironment`), with local facts
 * (loopback zone and cell endpoints, the SIMULATED issuer), validated by the same schema.
 */
export function localCellConfig(
  model: TopologyModel,
  cell: Cell,
  zoneEndpoints: Readonly<Record<string, string>>,
  cellEndpointOf: (cell: Cell) => string,
  auth: CellAuthFacts,
  /** The cell's routing control in the SIMULATED ARC cluster. @default none: the cell always writes */
  writerFence?: CellFacts['writerFence'],
): CellConfig {
  return cellConfigSchema.parse(
    cellEnvironment({
      ...cellFacts(model, cell),
      zoneEndpoints,
      zoneCells: zoneCells(model, cell, cellEndpointOf),
      auth,
      appVersion: 'local',
      ...(writerFence ? { writerFence } : {}),
    }),
  );
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
