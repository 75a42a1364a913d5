import { WEBHOOKS_SCOPE } from '../../../lambdas/api/routes/webhooks';
import { DeliveryStore } from '../../../lambdas/adapters/webhook-delivery-store';
import { Dispatcher } from '../../../lambdas/webhooks/dispatcher';
import { EndpointRegistry } from '../../../lambdas/webhooks/endpoints';
import { DeliveryFanout } from '../../../lambdas/webhooks/fanout';
import { InProcessQueue } from '../../../local/in-process-queue';
import { createHarness, type Harness } from '../api/harness';
import { FakeReceiver } from './support/harness';

const resolve = async (host: string) => (host === 'intranet.example.com' ? ['10.0.0.5'] : ['93.184.216.34']);

describe('webhook API routes', () => {
  let h: Harness;
  let queue: InProcessQueue;
  let receiver: FakeReceiver;
  let operator: string;
  let fanout: DeliveryFanout;
  let key = 0;
  const nextKey = () => `k-${++key}`;

  beforeAll(async () => {
    let now = () => Date.now();
    queue = new InProcessQueue({ now: () => now() });
    h = await createHarness({ webhookQueue: queue, resolveHost: resolve });
    now = () => h.clock.now;
    receiver = new FakeReceiver(now);
    const registry = new EndpointRegistry({
      documentClient: h.documentClient,
      tableName: h.tableName,
      mode: 'cloud',
      resolve,
      now,
    });
    const deliveries = new DeliveryStore({ documentClient: h.documentClient, tableName: h.tableName, now });
    const dispatcher = new Dispatcher({
      deliveries,
      endpoints: registry,
      post: receiver.post,
      now,
      random: () => 0.5,
    });
    queue.setHandler((m, n) => dispatcher.dispatch(m, n));
    fanout = new DeliveryFanout(registry, deliveries, queue);
    operator = await h.token('operator-7', { scopes: [WEBHOOKS_SCOPE] });
  });
  afterAll(() => h.drop());

  const call = (method: string, path: string, body?: unknown, token = operator) =>
    h.call(method, path, {
      token,
      ...(body !== undefined ? { body } : {}),
      ...(method === 'GET' ? {} : { key: nextKey() }),
    });

  it('creates (secret once, idempotent replay), lists without secrets, updates, disables, enables, rotates, deletes', async () => {
    const createKey = nextKey();
    const body = { url: 'https://hooks.example.com/orders', eventTypes: ['order.*'] };
    const created = await h.call('POST', '/v1/webhooks/endpoints', { token: operator, key: createKey, body });
    const replayed = await h.call('POST', '/v1/webhooks/endpoints', {
      token: operator,
      key: createKey,
      body,
    });
    expect(created.status).toBe(201);
    const first = (await created.json()) as { endpoint: { id: string }; secret: string };
    expect(first.secret).toMatch(/^whsec_/);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replayed.json()) as { endpoint: { id: string } }).endpoint.id).toBe(first.endpoint.id);
    const id = first.endpoint.id;

    const listed = await call('GET', '/v1/webhooks/endpoints');
    const listText = await listed.text();
    expect(listText).toContain(id);
    expect(listText).not.toContain('whsec_');

    const patched = await call('PATCH', `/v1/webhooks/endpoints/${id}`, { description: 'ERP' });
    expect(await patched.json()).toMatchObject({ description: 'ERP', revision: 2 });
    expect(await (await call('POST', `/v1/webhooks/endpoints/${id}/disable`)).json()).toMatchObject({
      enabled: false,
      disabledReason: 'operator',
    });
    expect(await (await call('POST', `/v1/webhooks/endpoints/${id}/enable`)).json()).toMatchObject({
      enabled: true,
    });
    const rotated = (await (await call('POST', `/v1/webhooks/endpoints/${id}/rotate-secret`)).json()) as {
      secret: string;
      endpoint: { rotatingUntil: string };
    };
    expect(rotated.secret).not.toBe(first.secret);
    expect(Date.parse(rotated.endpoint.rotatingUntil) - h.clock.now).toBe(24 * 3600_000);

    const audit = (await h.scanAll()).filter((item) => item.entity === 'audit');
    const endpointAudit = audit.filter((item) => String(item.recordJson).includes('webhook_endpoint'));
    expect(endpointAudit.length).toBe(5);
    expect(JSON.stringify(endpointAudit)).not.toContain('whsec_');
    expect(JSON.stringify(endpointAudit)).toContain('operator-7');

    expect((await call('DELETE', `/v1/webhooks/endpoints/${id}`)).status).toBe(200);
    const gone = await call('GET', `/v1/webhooks/endpoints/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('refuses unsafe URLs as 400 problem+json, a missing scope as 403, a missing Idempotency-Key as 400', async () => {
    const unsafe = await call('POST', '/v1/webhooks/endpoints', { url: 'https://intranet.example.com/x' });
    expect(unsafe.status).toBe(400);
    expect(await unsafe.json()).toMatchObject({
      code: 'validation_failed',
      detail: expect.stringMatching(/private address/),
    });
    const http = await call('POST', '/v1/webhooks/endpoints', { url: 'http://hooks.example.com/x' });
    expect(http.status).toBe(400);
    const customer = await h.token('c-1');
    expect((await call('GET', '/v1/webhooks/endpoints', undefined, customer)).status).toBe(403);
    const noKey = await h.call('POST', '/v1/webhooks/endpoints', {
      token: operator,
      body: { url: 'https://hooks.example.com/' },
    });
    expect(noKey.status).toBe(400);
  });

  it('shows attempts, resends, lists and redrives the DLQ, recovers a window', async () => {
    const created = (await (
      await call('POST', '/v1/webhooks/endpoints', { url: 'https://hooks.example.com/in' })
    ).json()) as {
      endpoint: { id: string };
    };
    const endpointId = created.endpoint.id;
    const since = new Date(h.clock.now).toISOString();
    receiver.fallback = { status: 500, headers: {}, body: 'down' };
    const cart = await h.call('POST', '/v1/carts', {
      token: await h.token('shopper-1'),
      key: nextKey(),
      body: {},
    });
    expect(cart.status).toBe(201);
    const [outbox] = (await h.scanAll()).filter((item) => item.entity === 'outbox');
    await fanout.fanOut([outbox!.envelope as never]);
    for (let i = 0; i < 20 && queue.size; i++) {
      await queue.runDue();
      h.clock.now = Math.max(h.clock.now, queue.nextVisibleAt() ?? h.clock.now);
    }
    const until = new Date(h.clock.now).toISOString();
    operator = await h.token('operator-7', { scopes: [WEBHOOKS_SCOPE] }); // the fake clock moved ~28 h

    const dlqResponse = await call('GET', '/v1/webhooks/dlq');
    const dlq = (await dlqResponse.json()) as { items: { deliveryId: string }[] };
    expect(dlqResponse.status).toBe(200);
    expect(dlq.items).toHaveLength(1);
    const deliveryId = dlq.items[0]!.deliveryId;
    const log = (await (await call('GET', `/v1/webhooks/deliveries/${deliveryId}/attempts`)).json()) as {
      delivery: Record<string, unknown>;
      attempts: {
        attempt: number;
        responseStatus: number;
        responseBody: string;
        nextAttemptAt: string | null;
      }[];
    };
    expect(log.delivery).toMatchObject({ status: 'dead', attempts: 8 });
    expect(log.delivery).not.toHaveProperty('envelope');
    expect(log.attempts).toHaveLength(8);
    expect(log.attempts[0]).toMatchObject({ attempt: 1, responseStatus: 500, responseBody: 'down' });

    receiver.fallback = { status: 200, headers: {}, body: 'ok' };
    const redriven = await call('POST', '/v1/webhooks/dlq/redrive', {});
    expect(await redriven.json()).toEqual({ redriven: [deliveryId] });
    await queue.runDue();
    const resent = await call('POST', `/v1/webhooks/deliveries/${deliveryId}/resend`);
    expect(resent.status).toBe(202);
    await queue.runDue();
    const recovered = await call('POST', `/v1/webhooks/endpoints/${endpointId}/recover`, { since, until });
    expect(await recovered.json()).toEqual({ recovered: [] }); // nothing failed any more
    const deliveries = (await (
      await call('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries?since=${since}&until=${until}`)
    ).json()) as {
      items: { status: string; round: number }[];
    };
    expect(deliveries.items).toEqual([expect.objectContaining({ status: 'succeeded', round: 2 })]);
    expect((await call('GET', '/v1/webhooks/deliveries/nope/attempts')).status).toBe(400);
  });
});
