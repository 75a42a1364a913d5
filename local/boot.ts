import type { IncomingMessage } from 'node:http';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { securityHeaders } from '../lambdas/api/http/security-headers';
import { localNetwork } from '../lambdas/webhooks/ssrf';
import { seedDemoCatalog } from '../lambdas/adapters/catalog-seed';
import { commerceTableName } from '../lambdas/adapters/table-definitions';
import {
  type Cell,
  REPLICATION_LATENCY_ALARM_MS,
  type ScaledFailoverTiming,
  type TopologyModel,
} from '../lib/topology';
import { CdnEdge } from './cdn/cdn-edge';
import { cdnControlRoutes } from './cdn/control';
import { LocalCellServer, localCellConfig } from './cell';
import {
  type CellRuntime,
  createCellRuntime,
  startWebhookSink,
  type WebhookSinkHandle,
} from './cell-runtime';
import { controlRoutes, type TopologyControl } from './control-api';
import { createLocalIssuer, type LocalIssuer } from './dev-auth';
import { localDynamoClient, startDynamoDbLocal } from './dynamodb-local';
import { EdgeProxy } from './edge-proxy';
import { EdgeRouter, type RoutedCell } from './edge-router';
import { createEdgeServer } from './edge-server';
import { CLIENT_COUNTRY_HEADER } from './geography';
import { HealthChecker, route53CheckTimeoutMs } from './health-checker';
import { kioskRoutes } from './kiosk-page';
import type { Lifecycle, ProgressLog } from './lifecycle';
import { assertPortsFree, closeIfUnreusable, LoopbackListener } from './listener';
import { type PortPlan, type ResolvedOptions, webhookTargetPorts } from './options';
import { ZoneReplicator } from './replicator';
import { LocalPaymentProvider } from './payment-provider';
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './status-page';
import { cloudStreamArn } from './stream-records';
import { type StreamRecordHandler, StreamPoller } from './stream-poller';
import { ensureTable } from './tables';
import { LOCAL_ARC_ENDPOINTS, routingControlArnOf } from './routing-controls';
import { LocalWriterFencing } from './writer-fencing';
import { writerFenceFromConfig } from '../lambdas/api/dependencies';

/**
 * Booting the local topology, part by part, each registering its stop with
 * the lifecycle (stopped in reverse). What comes out, `BootedTopology`, is
 * what the control (topology-control.ts) and the state projection
 * (topology-state.ts) act on.
 */

export interface CellUnit {
  readonly cell: Cell;
  readonly server: LocalCellServer;
  readonly checker: HealthChecker;
  readonly runtime: CellRuntime;
}

export interface BootedTopology {
  readonly model: TopologyModel;
  readonly timing: ScaledFailoverTiming;
  readonly dynamoEndpoint: string;
  /** The JVM's pid when this topology started DynamoDB Local. */
  readonly dynamoPid: number | undefined;
  readonly units: readonly CellUnit[];
  /** zone name -> its replicator (zones with a secondary only). */
  readonly replicators: ReadonlyMap<string, ZoneReplicator>;
  readonly pollers: readonly StreamPoller[];
  /** cell name (`zone/region`) -> the stream poller running its outbox relay. */
  readonly relayPollers: ReadonlyMap<string, StreamPoller>;
  /** zone name -> the loopback URL standing in for its failover name. */
  readonly zoneEndpoints: Readonly<Record<string, string>>;
  readonly sink: WebhookSinkHandle;
  readonly router: EdgeRouter;
  readonly issuer: LocalIssuer;
  /** SIMULATED payment provider shared by every cell (drills read its authorizations independently). */
  readonly payments: LocalPaymentProvider;
  /** The SIMULATED CDNs and the steering of each zone's catalog name (local/cdn). */
  readonly cdn: CdnEdge;
  /** Writer fencing (option `writerFence`): SIMULATED ARC routing controls and the promoter; absent when off. */
  readonly fencing?: LocalWriterFencing;
}

interface BootContext {
  readonly options: ResolvedOptions;
  readonly model: TopologyModel;
  readonly timing: ScaledFailoverTiming;
  readonly ports: PortPlan;
  readonly lifecycle: Lifecycle;
  readonly step: ProgressLog;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function streamArnOf(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn)
    throw new Error(`table ${tableName} has no stream; check the table definition`);
  return Table.LatestStreamArn;
}

export async function assertTopologyPortsFree({ options, model, ports }: BootContext): Promise<void> {
  await assertPortsFree([
    { port: ports.edge, what: 'edge router' },
    { port: ports.webhookSink, what: 'webhook sink' },
    ...(options.dynamoDbEndpoint ? [] : [{ port: ports.dynamoDb, what: 'DynamoDB Local' }]),
    ...model.zones.map((z, i) => ({ port: ports.zone(i), what: `zone ${z.name} endpoint` })),
    ...model.cells.map((c, i) => ({ port: ports.cell(i), what: `cell ${c.zone}/${c.region}` })),
    ...CdnEdge.plannedPorts(model, ports),
  ]);
}

/** Everything but the edge: data, stream consumers, cells, webhook sink and health checks. */
export async function bootTopology(context: BootContext): Promise<BootedTopology> {
  const { options, model, timing, ports, lifecycle, step } = context;
  await assertTopologyPortsFree(context);

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
    replicators.set(zone.name, new ZoneReplicator(zone.name, table(zone.primary), table(zone.secondary)));
  }
  const zoneEndpoints = Object.fromEntries(
    model.zones.map((z, i) => [z.name, `http://127.0.0.1:${ports.zone(i)}`]),
  );
  const issuer = await createLocalIssuer();
  const healthPath = model.failover.healthCheck.path;
  const payments = new LocalPaymentProvider();
  // Each cell's loopback URL, known before any listens: the discovery document of its zone lists them.
  const cellEndpointOf = (cell: Cell) =>
    `http://127.0.0.1:${ports.cell(model.cells.findIndex((c) => c.zone === cell.zone && c.region === cell.region))}`;
  // Writer fencing: the replicator tells whether a zone's primary has caught up (failback's precondition).
  const fencing = options.writerFence
    ? new LocalWriterFencing({
        model,
        isHealthy: (zone, region) =>
          units.find((u) => u.cell.zone === zone && u.cell.region === region)?.checker.isHealthy ?? false,
        notCaughtUp: async (zone) => notCaughtUp(replicators.get(zone), model, zone),
        step,
      })
    : undefined;
  const units: CellUnit[] = model.cells.map((cell, index) => {
    const fenced = fencing?.controls.isFenced(cell.zone) === true;
    const config = localCellConfig(
      model,
      cell,
      zoneEndpoints,
      cellEndpointOf,
      issuer.auth,
      fenced
        ? { routingControlArn: routingControlArnOf(cell), clusterEndpoints: LOCAL_ARC_ENDPOINTS }
        : undefined,
    );
    const runtime = createCellRuntime(
      config,
      endpoint,
      localNetwork(webhookTargetPorts(options)),
      payments,
      fenced
        ? writerFenceFromConfig(config, fencing!.controls.clientFor(`${cell.zone}/${cell.region}`))
        : undefined,
    );
    const server = new LocalCellServer(
      cell,
      config,
      ports.cell(index),
      runtime.api,
      healthPath,
      options.requestTimeoutMs,
    );
    const checker = new HealthChecker({
      name: `${cell.zone}/${cell.region}`,
      url: `${server.url}${healthPath}`,
      intervalMs: timing.healthCheckIntervalMs,
      failureThreshold: timing.failureThreshold,
      timeoutMs: route53CheckTimeoutMs(timing),
      onChange: (healthy, reason) => {
        step(
          reason === 'restart'
            ? `edge: ${cell.zone}/${cell.region} health check recreated by reset: ${healthy ? 'healthy' : 'UNHEALTHY'}`
            : `edge: ${cell.zone}/${cell.region} is now ${healthy ? 'healthy' : 'UNHEALTHY'} after ${timing.failureThreshold} consecutive ${healthy ? 'passing' : 'failing'} checks (${((timing.failureThreshold * timing.healthCheckIntervalMs) / 1000).toFixed(1)} s here, ${timing.failureThreshold * timing.cloudHealthCheckIntervalSeconds} s in the cloud)`,
        );
        // The alarm on the health check fires the zone's promoter (a reset's recreation is no alarm).
        if (reason === 'threshold') void fencing?.onHealthChange(cell.zone, cell.region, healthy);
      },
    });
    return { cell, server, checker, runtime };
  });

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

  // 5. Health checks and the router they feed (the listeners open in `openEdge`).
  await Promise.all(units.map((u) => u.checker.start()));
  lifecycle.add('health checks', async () => {
    await Promise.all(units.map((u) => u.checker.stop()));
  });
  const routed = new Map<string, RoutedCell>(
    units.map((u) => [EdgeRouter.key(u.cell.zone, u.cell.region), { server: u.server, checker: u.checker }]),
  );
  const router = new EdgeRouter(
    model,
    routed,
    timing.dnsTtlMs,
    fencing ? (zone, region) => fencing.controls.isOn(zone, region) : undefined,
  );

  // 6. The CDN stand-ins in front of the cells, and the steering of each zone's catalog name between them.
  const cdn = await CdnEdge.start({
    model,
    timing,
    ports,
    cellUrls: Object.fromEntries(units.map((u) => [u.server.name, u.server.url])),
    step,
  });
  lifecycle.add('CDN stand-ins and catalog steering', () => cdn.close());

  return {
    model,
    timing,
    dynamoEndpoint: endpoint,
    dynamoPid,
    units,
    replicators,
    pollers,
    relayPollers,
    zoneEndpoints,
    sink,
    router,
    issuer,
    payments,
    cdn,
    ...(fencing ? { fencing } : {}),
  };
}

/**
 * Failback's precondition, as the runbook's "replication latency alarm OK": no region loss or pause in the
 * way, and the oldest write of the secondary not yet applied to the primary younger than the alarm's
 * threshold. Writes still in flight then land on the primary by last writer wins, as in a global table.
 */
function notCaughtUp(
  replicator: ZoneReplicator | undefined,
  model: TopologyModel,
  zoneName: string,
): string | undefined {
  if (!replicator) return undefined;
  const stats = replicator.stats();
  if (stats.regionLoss && stats.regionLoss.phase !== 'caught-up')
    return `a region loss is ${stats.regionLoss.phase} (restore it first)`;
  if (stats.paused) return 'replication is paused';
  const primary = model.zones.find((z) => z.name === zoneName)?.primary.region;
  const toPrimary = stats.directions.find((d) => d.to === primary);
  const behindMs = toPrimary?.oldestPendingAgeMs ?? 0;
  // A write the target keeps refusing holds the direction's head: say so, or "behind" hides the cause.
  const failing = toPrimary?.lastError ? `; its last apply failed: ${toPrimary.lastError}` : '';
  return behindMs >= REPLICATION_LATENCY_ALARM_MS
    ? `replication toward it is ${behindMs} ms behind (${toPrimary?.pending} writes pending${failing}; fail back below the ReplicationLatency alarm's ${REPLICATION_LATENCY_ALARM_MS} ms)`
    : undefined;
}

/**
 * The edge: geolocation entry point with /control and /status, and one failover endpoint per zone.
 * Forwarding to the cells is local/edge-proxy.ts (undici's Agent, body cap, refusals as problem+json).
 */
export async function openEdge(
  booted: BootedTopology,
  control: TopologyControl,
  { options, ports, lifecycle, step }: Pick<BootContext, 'options' | 'ports' | 'lifecycle' | 'step'>,
): Promise<string> {
  const { model, router } = booted;
  // The edge's own routes (control API, status page); everything else is forwarded to a cell.
  const edgeApp = new Hono();
  // The CDN routes join the control API's own app before it is mounted, so its guards cover them too.
  const controlApp = controlRoutes(control);
  controlApp.route(
    '/cdn',
    cdnControlRoutes(booted.cdn, () => control.state(), step),
  );
  edgeApp.route('/control', controlApp);
  edgeApp.route('/', kioskRoutes());
  edgeApp.get('/status', securityHeaders({ contentSecurityPolicy: STATUS_PAGE_CSP }), (c) =>
    c.html(STATUS_PAGE_HTML),
  );
  const own = {
    matches: (path: string) =>
      path === '/status' ||
      path === '/control' ||
      path.startsWith('/control/') ||
      path === '/kiosk' ||
      path.startsWith('/kiosk/'),
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
  return edge;
}
