import { loadTopology, scaledFailoverTiming, type TopologyModel } from '../lib/topology';
import { bootTopology, openEdge } from './boot';
import type { CdnEdge } from './cdn/cdn-edge';
import type { WebhookSinkHandle } from './cell-runtime';
import type { LocalEndpoints } from './contract';
import type { TopologyControl } from './control-api';
import { localEndpoints, writeEndpointsFile } from './endpoints-file';
import { Lifecycle, type ProgressLog } from './lifecycle';
import {
  type LocalTopologyOptions,
  localTopologyOptionsSchema,
  portPlan,
  type ResolvedOptions,
} from './options';
import { topologyMemory } from './process-memory';
import { createTopologyControl } from './topology-control';
import { projectState, type TopologyState } from './topology-state';

/**
 * The embedded default (docs: local/README.md): every zone and cell of the
 * topology on loopback, with the production handler code. This is the entry;
 * each reason to change has its own module:
 *   boot.ts              lifecycle: the parts, booted in order, stopped in reverse (lifecycle.ts)
 *   topology-control.ts  the faults the control API drives
 *   topology-state.ts    what /control/state answers
 *   endpoints-file.ts    the endpoints file clients read
 * The CLI is local/main.ts; drills and tests call `startLocalTopology()` directly.
 */

export type { ProgressLog } from './lifecycle';

/** One authorization the SIMULATED payment provider (one for every cell) holds: what drills read independently of the API. */
export interface CellPaymentAuthorization {
  readonly authorizationId: string;
  /** The provider idempotency key it was made under (checkout id + attempt). */
  readonly idempotencyKey: string;
  readonly customerId: string;
  readonly amount: number;
  readonly voided: boolean;
}

export interface LocalTopology {
  readonly endpoints: LocalEndpoints;
  readonly model: TopologyModel;
  readonly options: ResolvedOptions;
  /** Milliseconds from the call to ready. */
  readonly bootMs: number;
  readonly control: TopologyControl;
  /** The local webhook sink (deliveries it received, for demos and tests). */
  readonly webhookSink: WebhookSinkHandle;
  /** The SIMULATED CDNs and catalog steering (drills read which CDN each request reached). */
  readonly cdn: CdnEdge;
  state(): TopologyState;
  memory(): ReturnType<typeof topologyMemory>;
  /** Every authorization of every cell's SIMULATED payment provider, voided ones included. */
  paymentAuthorizations(): CellPaymentAuthorization[];
  stop(): Promise<void>;
}

export async function startLocalTopology(
  input: LocalTopologyOptions = {},
  log: ProgressLog = () => undefined,
): Promise<LocalTopology> {
  const startedAt = Date.now();
  const options = localTopologyOptionsSchema.parse(input);
  const model = loadTopology(options.topologyFile);
  const ports = portPlan(options.basePort);
  const timing = scaledFailoverTiming(model, options.timeScale);
  const lifecycle = new Lifecycle();
  const since = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
  const step = (message: string) => log(`[${since()}] ${message}`);

  try {
    step(
      `topology ${options.topologyFile}: ${model.zones.length} zones, ${model.cells.length} cells; time scale ${options.timeScale}`,
    );
    const booted = await bootTopology({ options, model, timing, ports, lifecycle, step });
    const control = createTopologyControl(booted, step);
    const edge = await openEdge(booted, control, { options, ports, lifecycle, step });
    const endpoints = localEndpoints(booted, {
      edge,
      timeScale: options.timeScale,
      topologyFile: options.topologyFile,
    });
    if (options.endpointsFile) {
      step(`endpoints written to ${writeEndpointsFile(endpoints, options.endpointsFile)}`);
    }
    return {
      endpoints,
      model,
      options,
      bootMs: Date.now() - startedAt,
      control,
      webhookSink: booted.sink,
      cdn: booted.cdn,
      state: () => projectState(booted),
      memory: () => topologyMemory(endpoints.pids),
      paymentAuthorizations: () =>
        booted.payments.authorizations.map((a) => ({
          authorizationId: a.authorizationId,
          idempotencyKey: a.request.idempotencyKey,
          customerId: a.request.customerId,
          amount: a.request.amount,
          voided: a.voided,
        })),
      stop: () => lifecycle.stopAll(log),
    };
  } catch (error) {
    await lifecycle.stopAll(log);
    throw error;
  }
}
