import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { securityHeaders } from '../lambdas/api/http/security-headers';
import { localNetwork } from '../lambdas/webhooks/ssrf';
import { seedDemoCatalog } from '../lambdas/adapters/catalog-seed';
import { commerceTableName } from '../lambdas/adapters/table-definitions';
import { type Cell, loadTopology, predictedRtoSeconds, REPO_ROOT, type TopologyModel } from '../lib/topology';
import { cellConfig, cellEnvironment, LocalCellServer } from './cell';
import {
  type CellRuntime,
  createCellRuntime,
  startWebhookSink,
  type WebhookSinkHandle,
} from './cell-runtime';
import { type ControlState, type LocalEndpoints, localEndpointsSchema } from './contract';
import { ControlTargetError, controlRoutes, type SinkFault, type TopologyControl } from './control-api';
import { createLocalIssuer } from './dev-auth';
import { localDynamoClient, startDynamoDbLocal } from './dynamodb-local';
import { EdgeProxy } from './edge-proxy';
import { CLIENT_COUNTRY_HEADER } from './geography';
import { EdgeRouter, type RoutedCell } from './edge-router';
import { createEdgeServer } from './edge-server';
import { HealthChecker } from './health-checker';
import { assertPortsFree, closeIfUnreusable, LoopbackListener } from './listener';
import {
  type LocalTopologyOptions,
  localTopologyOptionsSchema,
  portPlan,
  type ResolvedOptions,
  webhookTargetPorts,
} from './options';
import { topologyMemory } from './process-memory';
import { ZoneReplicator } from './replicator';
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './status-page';
import { cloudStreamArn } from './stream-records';
import { type StreamRecordHandler, StreamPoller } from './stream-poller';
import { ensureTable } from './tables';

/**
 * The embedded default (ARCHITECTURE.md section 6): every zone and cell of the
 * topology on loopback, with the production handler code. This module wires
 * the parts together and owns their lifecycle; each part lives in its own
 * module. The CLI is local/main.ts; drills and tests call
 * `startLocalTopology()` directly.
 */

export type ProgressLog = (message: string) => void;

export interface LocalTopology {
  readonly endpoints: LocalEndpoints;
  readonly model: TopologyModel;
  readonly options: ResolvedOptions;
  /** Milliseconds from the call to ready. */
  readonly bootMs: number;
  readonly control: TopologyControl;
  /** The local webhook sink (deliveries it received, for demos and tests). */
  readonly webhookSink: WebhookSinkHandle;
  state(): ControlState;
  memory(): ReturnType<typeof topologyMemory>;
  stop(): Promise<void>;
}

export interface Timing {
  readonly timeScale: number;
  readonly healthCheckIntervalMs: number;
  readonly cloudHealthCheckIntervalSeconds: number;
  readonly failureThreshold: number;
  readonly dnsTtlMs: number;
  readonly cloudDnsTtlSeconds: number;
  readonly predictedRtoScaledSeconds: number;
  readonly predictedRtoCloudSeconds: number;
}

export function timingFor(model: TopologyModel, timeScale: number): Timing {
  const { intervalSeconds, failureThreshold } = model.config.healthCheck;
  const rto = predictedRtoSeconds(model.config);
  return {
    timeScale,
    healthCheckIntervalMs: Math.round(intervalSeconds * 1000 * timeScale),
    cloudHealthCheckIntervalSeconds: intervalSeconds,
    failureThreshold,
    dnsTtlMs: Math.round(model.config.dns.ttlSeconds * 1000 * timeScale),
    cloudDnsTtlSeconds: model.config.dns.ttlSeconds,
    predictedRtoScaledSeconds: Number((rto * timeScale).toFixed(2)),
    predictedRtoCloudSeconds: rto,
  };
}

interface CellUnit {
  readonly cell: Cell;
  readonly server: LocalCellServer;
  readonly checker: HealthChecker;
  readonly runtime: CellRuntime;
}

/** Stops registered in boot order and run in reverse; every stop runs even if one fails. */
class Lifecycle {
  private readonly stops: { what: string; stop: () => Promise<void> | void }[] = [];
  private stopped: Promise<void> | undefined;

  add(what: string, stop: () => Promise<void> | void): void {
    this.stops.push({ what, stop });
  }

  stopAll(log: ProgressLog): Promise<void> {
    this.stopped ??= (async () => {
      const failures: string[] = [];
      for (const { what, stop } of this.stops.reverse()) {
        try {
          await stop();
        } catch (error) {
          failures.push(`${what}: ${(error as Error).message}`);
        }
      }
      if (failures.length > 0) log(`stopped with ${failures.length} problem(s): ${failures.join('; ')}`);
    })();
    return this.stopped;
  }
}

async function streamArnOf(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn)
    throw new Error(`table ${tableName} has no stream; check the table definition`);
  return Table.LatestStreamArn;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function startLocalTopology(
  input: LocalTopologyOptions = {},
  log: ProgressLog = () => undefined,
): Promise<LocalTopology> {
  const startedAt = Date.now();
  const options = localTopologyOptionsSchema.parse(input);
  const model = loadTopology(options.topologyFile);
  const ports = portPlan(options.basePort);
  const timing = timingFor(model, options.timeScale);
  const lifecycle = new Lifecycle();
  const since = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
  const step = (message: string) => log(`[${since()}] ${message}`);

  try {
    step(
      `topology ${options.topologyFile}: ${model.zones.length} zones, ${model.cells.length} cells; time scale ${options.timeScale}`,
    );
    await assertPortsFree([
      { port: ports.edge, what: 'edge router' },
      { port: ports.webhookSink, what: 'webhook sink' },
      ...(options.dynamoDbEndpoint ? [] : [{ port: ports.dynamoDb, what: 'DynamoDB Local' }]),
      ...model.zones.map((z, i) => ({ port: ports.zone(i), what: `zone ${z.name} endpoint` })),
      ...model.cells.map((c, i) => ({ port: ports.cell(i), what: `cell ${c.zone}/${c.region}` })),
    ]);

    // 1. Data: DynamoDB Local, one table per cell in the cell's region namespace.
    let dynamoEndpoint = options.dynamoDbEndpoint;
    let dynamoPid: number | undefined;
    if (!dynamoEndpoint) {
      step(`starting DynamoDB Local on port ${ports.dynamoDb} (Java)…`);
      const dynamo = await startDynamoDbLocal({ port: ports.dynamoDb });
      lifecycle.add('DynamoDB Local', () => dynamo.stop());
      dynamoEndpoint = dynamo.endpoint;
      dynamoPid = dynamo.pid;
    }
    const endpoint = dynamoEndpoint;
    const clients = new Map<string, DynamoDBClient>();
    const clientFor = (region: string) => {
      let client = clients.get(region);
      if (!client) {
        client = localDynamoClient(endpoint, region);
        clients.set(region, client);
      }
      return client;
    };
    lifecycle.add('DynamoDB clients', () => {
      for (const client of clients.values()) client.destroy();
    });
    const tableOf = (cell: Cell) => commerceTableName(model.appName, cell.zone);
    await Promise.all(model.cells.map((cell) => ensureTable(clientFor(cell.region), tableOf(cell))));
    step(`tables ready: ${model.cells.map((c) => `${tableOf(c)}@${c.region}`).join(', ')}`);

    // 2. Stream consumers: the outbox relay per cell, the replicator per zone with a secondary.
    const replicators = new Map<string, ZoneReplicator>();
    for (const zone of model.zones) {
      if (!zone.secondary) continue;
      const table = (cell: Cell) => ({
        region: cell.region,
        client: clientFor(cell.region),
        tableName: tableOf(cell),
      });
      const replicator = new ZoneReplicator(zone.name, table(zone.primary), table(zone.secondary));
      replicators.set(zone.name, replicator);
    }
    const zoneEndpoints = Object.fromEntries(
      model.zones.map((z, i) => [z.name, `http://127.0.0.1:${ports.zone(i)}`]),
    );
    const issuer = await createLocalIssuer();
    const units: CellUnit[] = [];
    for (const [index, cell] of model.cells.entries()) {
      const env = {
        ...cellEnvironment(model, cell, zoneEndpoints),
        ...issuer.cellEnvironment,
      };
      const config = cellConfig(env);
      const runtime = createCellRuntime(config, endpoint, localNetwork(webhookTargetPorts(options)));
      const server = new LocalCellServer(
        cell,
        config,
        ports.cell(index),
        runtime.api,
        model.config.healthCheck.path,
        options.requestTimeoutMs,
      );
      const checker = new HealthChecker({
        name: `${cell.zone}/${cell.region}`,
        url: `${server.url}${model.config.healthCheck.path}`,
        intervalMs: timing.healthCheckIntervalMs,
        failureThreshold: timing.failureThreshold,
        // Route 53 allows 4 s (scaled), but never less than 1 s here: a loaded laptop must not fail
        // healthy cells. A check that is still running when the next is due skips that tick.
        timeoutMs: Math.max(1000, Math.min(timing.healthCheckIntervalMs, 4000 * options.timeScale)),
        onChange: (healthy, reason) =>
          step(
            reason === 'restart'
              ? `edge: ${cell.zone}/${cell.region} health check recreated by reset: ${healthy ? 'healthy' : 'UNHEALTHY'}`
              : `edge: ${cell.zone}/${cell.region} is now ${healthy ? 'healthy' : 'UNHEALTHY'} after ${timing.failureThreshold} consecutive ${healthy ? 'passing' : 'failing'} checks (${((timing.failureThreshold * timing.healthCheckIntervalMs) / 1000).toFixed(1)} s here, ${timing.failureThreshold * timing.cloudHealthCheckIntervalSeconds} s in the cloud)`,
          ),
      });
      units.push({ cell, server, checker, runtime });
    }

    const pollers: StreamPoller[] = [];
    const relayPollers = new Map<string, StreamPoller>();
    for (const unit of units) {
      const { cell } = unit;
      const client = clientFor(cell.region);
      const localArn = await streamArnOf(client, tableOf(cell));
      const source = {
        region: cell.region,
        eventSourceArn: cloudStreamArn(localArn, cell.partition, cell.region, cell.account),
      };
      const poller = (name: string, handler: StreamRecordHandler) =>
        new StreamPoller({
          name: `${name} ${cell.zone}/${cell.region}`,
          endpoint,
          region: cell.region,
          streamArn: localArn,
          source,
          handler,
          pollIntervalMs: options.streamPollIntervalMs,
        });
      const relay = poller('outbox relay', unit.runtime.relayHandler);
      relayPollers.set(unit.server.name, relay);
      pollers.push(relay);
      const replicator = replicators.get(cell.zone);
      if (replicator) pollers.push(poller('replicator', replicator.handlerFor(cell.region)));
    }
    for (const replicator of replicators.values()) {
      replicator.start();
      lifecycle.add(`replicator ${replicator.zone}`, () => replicator.stop());
    }
    for (const unit of units) {
      unit.runtime.start();
      lifecycle.add(`webhook dispatcher ${unit.cell.zone}/${unit.cell.region}`, () => unit.runtime.stop());
    }
    for (const poller of pollers) poller.start();
    lifecycle.add('stream pollers', async () => {
      await Promise.all(pollers.map((p) => p.stop()));
    });
    step(
      `stream pollers running: ${units.length} outbox relay, ${replicators.size * 2} replication (${[...replicators.keys()].join(', ') || 'no zone has a secondary'})`,
    );

    // 3. Demo catalog, written to each zone's primary; replication copies it to the secondary.
    if (options.seedCatalog) {
      for (const zone of model.zones) {
        const documentClient = DynamoDBDocumentClient.from(clientFor(zone.primary.region), {
          marshallOptions: { removeUndefinedValues: true },
        });
        const products = await seedDemoCatalog({ documentClient, tableName: tableOf(zone.primary) });
        step(`seeded ${products.length} demo products into ${zone.name}/${zone.primary.region}`);
      }
    }

    // 4. Cells: the production API on its own port, behind the fault wrapper.
    for (const unit of units) {
      await unit.server.start();
      lifecycle.add(`cell ${unit.server.name}`, () => unit.server.stop());
    }
    step(`cell APIs listening: ${units.map((u) => `${u.server.name} ${u.server.url}`).join(', ')}`);

    const sink: WebhookSinkHandle = await startWebhookSink(ports.webhookSink, options.requestTimeoutMs);
    lifecycle.add('webhook sink', () => sink.stop());

    // 5. Edge: health checks, routing, control API, status page.
    await Promise.all(units.map((u) => u.checker.start()));
    lifecycle.add('health checks', async () => {
      await Promise.all(units.map((u) => u.checker.stop()));
    });
    const routed = new Map<string, RoutedCell>(
      units.map((u) => [
        EdgeRouter.key(u.cell.zone, u.cell.region),
        { server: u.server, checker: u.checker },
      ]),
    );
    const router = new EdgeRouter(model, routed, timing.dnsTtlMs);

    const unitOf = (zone: string, region: string): CellUnit => {
      const unit = units.find((u) => u.cell.zone === zone && u.cell.region === region);
      if (!unit)
        throw new ControlTargetError(
          `no cell ${zone}/${region}; cells are ${units.map((u) => u.server.name).join(', ')}`,
        );
      return unit;
    };
    const replicatorOf = (zone: string): ZoneReplicator => {
      const replicator = replicators.get(zone);
      if (!replicator)
        throw new ControlTargetError(
          `zone ${zone} has no replication (single-region or unknown); replicated zones: ${[...replicators.keys()].join(', ') || 'none'}`,
        );
      return replicator;
    };

    const state = (): ControlState & { details: Record<string, unknown> } => ({
      cells: units.map((u) => ({
        zone: u.cell.zone,
        region: u.cell.region,
        role: u.cell.role,
        running: u.server.listening,
        forcedUnhealthy: u.server.faults.forcedUnhealthy,
        addedLatencyMs: u.server.faults.addedLatencyMs,
        healthy: u.checker.isHealthy,
      })),
      serving: Object.fromEntries(model.zones.map((z) => [z.name, router.serving(z)])),
      replication: Object.fromEntries(
        [...replicators].map(([zone, r]) => {
          const stats = r.stats();
          return [zone, { paused: stats.paused, lagMs: stats.lagMs, pending: stats.pending }];
        }),
      ),
      webhookSink: sink.state(),
      details: {
        timing,
        cellUrls: Object.fromEntries(units.map((u) => [u.server.name, u.server.url])),
        zoneUrls: zoneEndpoints,
        // The relay's own backlog (stream records not read yet) is unknowable without reading them;
        // what is known: its batches and failures, and the webhook queue depth behind it.
        outboxRelay: Object.fromEntries(
          units.map((u) => [u.server.name, relayPollers.get(u.server.name)?.stats ?? null]),
        ),
        webhookQueue: Object.fromEntries(units.map((u) => [u.server.name, u.runtime.backlog()])),
        webhookDlq: units.reduce((sum, u) => sum + u.runtime.deadLetters(), 0),
        eventsPublished: Object.fromEntries(units.map((u) => [u.server.name, u.runtime.publisher.published])),
        failovers: router.failovers,
        replication: [...replicators.values()].map((r) => r.stats()),
        healthChecks: Object.fromEntries(units.map((u) => [u.server.name, u.checker.snapshot()])),
        streamPollers: pollers.map((p) => ({ name: p.name, ...p.stats })),
      },
    });

    const control: TopologyControl = {
      state,
      stopCell: async (zone, region) => {
        await unitOf(zone, region).server.stop();
        step(`control: stopped ${zone}/${region} (connections refused)`);
      },
      startCell: async (zone, region) => {
        await unitOf(zone, region).server.start();
        step(`control: started ${zone}/${region}`);
      },
      setCellHealth: (zone, region, healthy) => {
        unitOf(zone, region).server.faults.forcedUnhealthy = !healthy;
        step(`control: ${zone}/${region} health forced ${healthy ? 'off (healthy)' : 'to 503'}`);
      },
      setCellLatency: (zone, region, ms) => {
        unitOf(zone, region).server.faults.addedLatencyMs = ms;
        step(`control: ${zone}/${region} added latency ${ms} ms`);
      },
      pauseReplication: (zone) => {
        replicatorOf(zone).pause();
        step(`control: replication of ${zone} paused`);
      },
      resumeReplication: (zone) => {
        replicatorOf(zone).resume();
        step(`control: replication of ${zone} resumed`);
      },
      setReplicationLag: (zone, ms) => {
        replicatorOf(zone).injectLag(ms);
        step(`control: replication of ${zone} delayed by ${ms} ms`);
      },
      setSinkFault: (fault: SinkFault) => {
        sink.setFault(fault);
        step(`control: webhook sink fault ${fault.mode}`);
      },
      reset: async () => {
        sink.setFault({ mode: 'none' });
        for (const replicator of replicators.values()) {
          replicator.injectLag(0);
          replicator.resume();
        }
        await Promise.all(units.map((u) => u.server.reset()));
        await Promise.all(units.map((u) => u.checker.restart()));
        router.flushCache();
        step('control: reset, every fault rolled back');
      },
      issueToken: (request) => issuer.issue(request),
    };

    // The edge's own routes (control API, status page); everything else is forwarded to a cell.
    const edgeApp = new Hono();
    edgeApp.route('/control', controlRoutes(control));
    edgeApp.get('/status', securityHeaders({ contentSecurityPolicy: STATUS_PAGE_CSP }), (c) =>
      c.html(STATUS_PAGE_HTML),
    );
    const own = {
      matches: (path: string) => path === '/status' || path === '/control' || path.startsWith('/control/'),
      listener: getRequestListener(async (request, env: HttpBindings | Http2Bindings) =>
        closeIfUnreusable(await edgeApp.fetch(request), env.incoming),
      ),
    };
    const proxy = new EdgeProxy();
    lifecycle.add('edge connections to the cells', () => proxy.close());
    const edgeListener = new LoopbackListener(
      createEdgeServer({
        proxy,
        own,
        route: (req) => router.targetFor(router.zoneForCountry(header(req, CLIENT_COUNTRY_HEADER))),
        requestTimeoutMs: options.requestTimeoutMs,
      }),
      ports.edge,
      'edge router',
    );
    await edgeListener.open();
    lifecycle.add('edge router', () => edgeListener.close());
    for (const [index, zone] of model.zones.entries()) {
      const listener = new LoopbackListener(
        createEdgeServer({
          proxy,
          route: () => router.targetFor(zone),
          requestTimeoutMs: options.requestTimeoutMs,
        }),
        ports.zone(index),
        `zone ${zone.name} endpoint`,
      );
      await listener.open();
      lifecycle.add(`zone ${zone.name} endpoint`, () => listener.close());
    }
    const edge = `http://127.0.0.1:${ports.edge}`;
    step(`edge router listening on ${edge} (status ${edge}/status, control ${edge}/control)`);

    const pids = [process.pid, ...(dynamoPid ? [dynamoPid] : [])];
    const endpoints = localEndpointsSchema.parse({
      edge,
      control: `${edge}/control`,
      status: `${edge}/status`,
      webhookSink: sink.url,
      dynamodb: endpoint,
      timeScale: options.timeScale,
      topologyFile: options.topologyFile,
      cells: units.map((u) => ({
        zone: u.cell.zone,
        region: u.cell.region,
        role: u.cell.role,
        url: u.server.url,
        port: u.server.port,
      })),
      zones: zoneEndpoints,
      pids,
    } satisfies LocalEndpoints);
    if (options.endpointsFile) {
      const file = isAbsolute(options.endpointsFile)
        ? options.endpointsFile
        : resolve(REPO_ROOT, options.endpointsFile);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(endpoints, null, 2)}\n`);
      step(`endpoints written to ${file}`);
    }

    return {
      endpoints,
      model,
      options,
      bootMs: Date.now() - startedAt,
      control,
      webhookSink: sink,
      state,
      memory: () => topologyMemory(pids),
      stop: () => lifecycle.stopAll(log),
    };
  } catch (error) {
    await lifecycle.stopAll(log);
    throw error;
  }
}
