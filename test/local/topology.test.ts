import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCOPES } from '../../lambdas/core/scopes';
import { controlStateSchema, localEndpointsSchema } from '../../local/contract';
import { DEMO_STEPS } from '../../local/demo';
import { isAlive } from '../../local/process-memory';
import { type LocalTopology, startLocalTopology } from '../../local/topology';
import { accepts, onFreeBasePort } from '../support/ports';
import { waitUntil } from '../support/wait';

/**
 * End to end on the booted default topology (its own DynamoDB Local, time
 * scale 0.05: health checks every 0.5 s, DNS TTL 3 s).
 */

const TIME_SCALE = 0.05;

function bootOnFreePorts(endpointsFile: string): Promise<LocalTopology> {
  return onFreeBasePort((basePort) => startLocalTopology({ basePort, timeScale: TIME_SCALE, endpointsFile }));
}

async function post(url: string, body?: unknown) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? '' : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function viaEdge(topology: LocalTopology, country: string, path = '/v1/health') {
  const response = await fetch(`${topology.endpoints.edge}${path}`, {
    headers: { 'x-client-country': country },
  });
  await response.arrayBuffer();
  return { status: response.status, servedBy: response.headers.get('x-served-by') };
}

/** A call to one cell's API as a client would make it: bearer token, idempotency key on writes. */
async function callCell(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  options: { token: string; key?: string; body?: unknown },
) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.token}`,
      ...(options.key ? { 'idempotency-key': options.key } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('local topology (booted)', () => {
  const endpointsFile = join(mkdtempSync(join(tmpdir(), 'local-topology-')), 'endpoints.json');
  let topology: LocalTopology;
  let ports: number[] = [];
  let pids: number[] = [];
  let stopped = false;

  beforeAll(async () => {
    topology = await bootOnFreePorts(endpointsFile);
    const { endpoints } = topology;
    ports = [
      endpoints.edge,
      endpoints.webhookSink,
      endpoints.dynamodb,
      ...Object.values(endpoints.zones ?? {}),
      ...endpoints.cells.map((c) => c.url),
    ].map((url) => Number(new URL(url).port));
    pids = endpoints.pids.filter((pid) => pid !== process.pid);
  }, 60_000);

  afterAll(async () => {
    await topology?.stop();
  });

  afterEach(async () => {
    if (!stopped) await post(`${topology.endpoints.control}/reset`);
  });

  it('writes an endpoints file that satisfies the contract, one cell per zone x region', () => {
    // Act
    const file = localEndpointsSchema.parse(JSON.parse(readFileSync(endpointsFile, 'utf8')));
    // Assess
    expect(file.cells.map((c) => `${c.zone}/${c.region}/${c.role}`)).toEqual([
      'global/us-east-1/primary',
      'global/us-west-2/secondary',
      'eu/eusc-de-east-1/primary',
    ]);
    expect(file.timeScale).toBe(TIME_SCALE);
    expect(Object.keys(file.zones ?? {})).toEqual(['global', 'eu']);
    expect(file.pids.length).toBe(2);
  });

  it('routes by x-client-country: DE to eu, US to global, and names the serving cell', async () => {
    // Act
    const de = await viaEdge(topology, 'DE');
    const us = await viaEdge(topology, 'US');
    // Assess
    expect(de).toEqual({ status: 200, servedBy: 'eu/eusc-de-east-1' });
    expect(us).toEqual({ status: 200, servedBy: 'global/us-east-1' });
  });

  it('serves the seeded catalog through the edge, from the primary and (replicated) from the secondary', async () => {
    // Prepare
    const secondary = topology.endpoints.cells.find((c) => c.role === 'secondary')!;
    // Act
    const viaEdgeResponse = await fetch(`${topology.endpoints.edge}/v1/products`, {
      headers: { 'x-client-country': 'US' },
    });
    let secondaryStatus = 0;
    await waitUntil(async () => {
      const response = await fetch(`${secondary.url}/v1/products`);
      secondaryStatus = response.status;
      const body = (await response.json()) as { items?: unknown[] };
      return response.ok && (body.items?.length ?? 0) > 0;
    }, 5000);
    // Assess
    expect(viaEdgeResponse.status).toBe(200);
    expect(secondaryStatus).toBe(200);
  });

  it('fails the global zone over to the secondary when its primary is stopped (connection refused)', async () => {
    // Prepare
    const boundMs = (topology.state().details.timing.predictedRtoScaledSeconds + 1) * 1000;
    // Act
    const stopped = await post(`${topology.endpoints.control}/cells/global/us-east-1/stop`);
    const refused = !(await accepts(Number(new URL(topology.endpoints.cells[0]!.url).port)));
    await waitUntil(async () => (await viaEdge(topology, 'US')).servedBy === 'global/us-west-2', boundMs);
    const failedOver = await viaEdge(topology, 'US');
    // Assess
    expect(stopped.status).toBe(200);
    expect(refused).toBe(true);
    expect(failedOver.status).toBe(200);
    expect(topology.state().serving.global).toBe('us-west-2');
    expect(topology.state().cells.find((c) => c.region === 'us-east-1')).toMatchObject({
      running: false,
      healthy: false,
    });
  });

  it('answers 503 on /v1/health of a cell forced unhealthy and adds latency, both reversible by reset', async () => {
    // Prepare
    const cell = topology.endpoints.cells.find((c) => c.zone === 'eu')!;
    // Act
    await post(`${topology.endpoints.control}/cells/eu/${cell.region}/health`, { healthy: false });
    await post(`${topology.endpoints.control}/cells/eu/${cell.region}/latency`, { ms: 300 });
    const started = Date.now();
    const unhealthy = await fetch(`${cell.url}/v1/health`);
    const slowMs = Date.now() - started;
    await post(`${topology.endpoints.control}/reset`);
    const healthy = await fetch(`${cell.url}/v1/health`);
    // Assess
    expect(unhealthy.status).toBe(503);
    // Node timers may fire a millisecond before Date.now() says they are due.
    expect(slowMs).toBeGreaterThanOrEqual(295);
    expect(healthy.status).toBe(200);
    expect(topology.state().cells.every((c) => !c.forcedUnhealthy && c.addedLatencyMs === 0)).toBe(true);
  });

  it('pauses and resumes replication of a zone through the control API', async () => {
    // Act
    const paused = await post(`${topology.endpoints.control}/replication/global/pause`);
    const resumed = await post(`${topology.endpoints.control}/replication/global/resume`);
    // Assess
    expect((paused.json.replication as Record<string, { paused: boolean }>).global?.paused).toBe(true);
    expect((resumed.json.replication as Record<string, { paused: boolean }>).global?.paused).toBe(false);
  });

  it("reports each replicated zone's table digests on /control/state, equal once replication has caught up", async () => {
    // Prepare: the seeded catalog and this suite's writes replicate; the state is read until nothing is pending.
    const replicationOf = async () => {
      const response = await fetch(`${topology.endpoints.control}/state`);
      expect(response.status).toBe(200);
      return controlStateSchema.parse(await response.json()).replication.global!;
    };
    // Act
    await waitUntil(async () => (await replicationOf()).converged === true, 30_000, 100);
    const global = await replicationOf();
    const scanned = await fetch(`${topology.endpoints.control}/replication/global/convergence`);
    // Assess: the digests agree, are not the empty table's, and the full scan agrees with them.
    expect(Object.keys(global.digests ?? {}).sort()).toEqual(['us-east-1', 'us-west-2']);
    expect(global.digests!['us-east-1']).toBe(global.digests!['us-west-2']);
    expect(global.digests!['us-east-1']).not.toBe('0'.repeat(64));
    expect(scanned.status).toBe(200);
    expect(((await scanned.json()) as { converged: boolean }).converged).toBe(true);
  });

  it("relays a lost region's replicated, never-relayed events from the survivor (relay-foreign-events), one webhook-id each", async () => {
    // Prepare: an endpoint for order.v1.placed, replicated; the primary's relay down while an order commits.
    const control = topology.endpoints.control;
    const [primary, secondary] = topology.endpoints.cells.filter((c) => c.zone === 'global');
    const token = async (subject: string, scopes?: string[]) =>
      (await post(`${control}/tokens`, { subject, homeZone: 'global', ...(scopes ? { scopes } : {}) })).json
        .token as string;
    const operator = await token('takeover-operator', [SCOPES.adminWebhooks]);
    const buyer = await token('takeover-buyer');
    const sinkPath = '/takeover-test';
    const endpoint = await callCell(primary!.url, 'POST', '/v1/webhooks/endpoints', {
      token: operator,
      key: 'takeover-endpoint',
      body: { url: `${topology.endpoints.webhookSink}${sinkPath}`, eventTypes: ['order.v1.placed'] },
    });
    expect(endpoint.status).toBe(201);
    await waitUntil(() => topology.state().replication.global!.converged === true, 30_000, 100);
    const relayStopped = await post(`${control}/cells/global/us-east-1/relay/stop`);
    expect(relayStopped.status).toBe(200);
    const products = await callCell(primary!.url, 'GET', '/v1/products?limit=1', { token: buyer });
    expect(products.status).toBe(200);
    const productId = (products.json.items as { id: string }[])[0]!.id;
    const cart = await callCell(primary!.url, 'POST', '/v1/carts', {
      token: buyer,
      key: 'takeover-cart',
      body: {},
    });
    expect(cart.status).toBe(201);
    const line = await callCell(primary!.url, 'POST', `/v1/carts/${cart.json.id as string}/items`, {
      token: buyer,
      key: 'takeover-line',
      body: { productId, quantity: 1 },
    });
    expect(line.status).toBe(200);
    const checkout = await callCell(primary!.url, 'POST', '/v1/checkout', {
      token: buyer,
      key: 'takeover-checkout',
      body: { cartId: cart.json.id },
    });
    expect(checkout.status).toBe(201);
    const orderId = checkout.json.id as string;
    await waitUntil(
      async () =>
        (await callCell(secondary!.url, 'GET', `/v1/orders/${orderId}`, { token: buyer })).status === 200,
      30_000,
      100,
    );
    const deliveriesOfTheOrder = () =>
      topology.webhookSink
        .deliveries()
        .filter((d) => d.path === sinkPath && d.status !== null && d.status >= 200 && d.status < 300)
        .filter((d) => d.body.includes(orderId));
    // Act: the primary is lost; its event is only in the survivor's replica, then relayed from there.
    const lost = await post(`${control}/replication/global/lose`, { region: 'us-east-1' });
    expect(lost.status).toBe(200);
    const beforeTakeover = deliveriesOfTheOrder().length;
    const takeover = await post(`${control}/cells/global/us-west-2/relay-foreign-events`, {});
    expect(takeover.status).toBe(200);
    await waitUntil(() => deliveriesOfTheOrder().length > 0, 30_000, 100);
    // Act: the region returns; its relay reads on from where it stopped and meets the same event.
    const primaryRelay = () => topology.state().details.outboxRelay['global/us-east-1']!;
    const recordsBeforeRestore = primaryRelay().records;
    const restored = await post(`${control}/replication/global/restore`);
    expect(restored.status).toBe(200);
    await waitUntil(
      () =>
        primaryRelay().records > recordsBeforeRestore &&
        !primaryRelay().retrying &&
        Object.values(topology.state().details.webhookQueue).every((depth) => depth === 0),
      30_000,
      100,
    );
    // Assess
    expect(beforeTakeover).toBe(0);
    expect(takeover.json).toMatchObject({ failedEventIds: [], deliveriesEnqueued: 1 });
    expect(takeover.json.relayed as number).toBeGreaterThanOrEqual(1);
    expect(primaryRelay().paused).toBe(false);
    const webhookIds = new Set(deliveriesOfTheOrder().map((d) => d.webhookId));
    expect(webhookIds.size).toBe(1);
  });

  it('rejects invalid control bodies with 400 and unknown targets with 404', async () => {
    // Act
    const badBody = await post(`${topology.endpoints.control}/cells/eu/eusc-de-east-1/latency`, { ms: -1 });
    const unknownCell = await post(`${topology.endpoints.control}/cells/eu/us-east-1/stop`);
    const singleRegion = await post(`${topology.endpoints.control}/replication/eu/pause`);
    const badFault = await post(`${topology.endpoints.control}/webhook-sink/fault`, { mode: 'explode' });
    // Assess
    expect(badBody.status).toBe(400);
    expect(unknownCell.status).toBe(404);
    expect(singleRegion.status).toBe(404);
    expect(badFault.status).toBe(400);
  });

  it('serves the status page and a state document that satisfies the contract', async () => {
    // Act
    const page = await fetch(topology.endpoints.status);
    const html = await page.text();
    const state = await (await fetch(`${topology.endpoints.control}/state`)).json();
    // Assess
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(html).toContain('/control/state');
    expect(controlStateSchema.parse(state).serving).toEqual({ global: 'us-east-1', eu: 'eusc-de-east-1' });
  });

  it('renders the live status from /control/state (zones, serving cell, replication, faults)', async () => {
    // Prepare: run the page's script against the real state, with a minimal DOM.
    await post(`${topology.endpoints.control}/cells/global/us-west-2/latency`, { ms: 40 });
    const html = await (await fetch(topology.endpoints.status)).text();
    const script = html.split('<script>')[1]!.split('</script>')[0]!;
    const state = await (await fetch(`${topology.endpoints.control}/state`)).json();
    const elements: Record<string, { innerHTML: string; textContent: string }> = {};
    const document = {
      getElementById: (id: string) => (elements[id] ??= { innerHTML: '', textContent: '' }),
    };
    const refresh = new Function('document', 'fetch', 'setInterval', `${script}; return refresh;`)(
      document,
      async () => ({ json: async () => state }),
      () => 0,
    ) as () => Promise<void>;
    // Act
    await refresh();
    // Assess
    expect(elements.error?.textContent).toBe('');
    expect(elements.zones?.innerHTML).toContain('<td>global</td><td class="ok">us-east-1</td>');
    expect(elements.cells?.innerHTML).toContain('+40 ms');
    expect(elements.cells?.innerHTML).toMatch(/ok, \d+ records/);
    expect(elements.timing?.textContent).toContain(`time scale ${TIME_SCALE}`);
    expect(elements.timing?.textContent).toContain('90 s in the cloud');
  });

  // The must-show flows (checkout -> primary -> secondary -> signed webhook at the sink,
  // DE customer in eu, 421 with nothing written, failover) are the demo steps; each one asserts.
  it.each(DEMO_STEPS.map((step) => [step.name, step] as const))(
    'demo step: %s',
    async (_name, step) => {
      // Act
      const detail = await step.run({ topology, log: () => undefined });
      // Assess
      expect(detail).not.toMatch(/^skipped/);
    },
    60_000,
  );

  it('stops everything it started: nothing left listening, DynamoDB Local (Java) gone', async () => {
    // Act
    await topology.stop();
    stopped = true;
    const listening = await Promise.all(ports.map(accepts));
    // Assess
    expect(listening.every((open) => !open)).toBe(true);
    expect(pids.filter(isAlive)).toEqual([]);
  });
});
