import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newEvent } from '../../lambdas/core/events/envelope';
import { DeliveryStore } from '../../lambdas/adapters/webhook-delivery-store';
import { Dispatcher } from '../../lambdas/webhooks/dispatcher';
import { EndpointRegistry } from '../../lambdas/webhooks/endpoints';
import { DeliveryFanout } from '../../lambdas/webhooks/fanout';
import { createHttpPoster, HttpFailure } from '../../lambdas/webhooks/http-client';
import { generateSecret, signatureHeaders } from '../../lambdas/webhooks/signature';
import { localNetwork } from '../../lambdas/webhooks/ssrf';
import { InProcessQueue } from '../../local/in-process-queue';
import { startWebhookSink, type WebhookSink } from '../../local/webhook-sink';
import { freshCommerceTable } from '../support/dynamodb';

// The local topology allows loopback on its sink's port only; these sinks listen on ephemeral ports.
let post: ReturnType<typeof createHttpPoster>;
const NOW = Date.parse('2030-05-01T10:00:00Z');

function signed(secret: string, id: string, body = JSON.stringify({ eventType: 'order.v1.placed' })) {
  return {
    headers: {
      'content-type': 'application/json',
      ...signatureHeaders({ id, timestampSeconds: NOW / 1000, body, secrets: [secret] }),
    },
    body,
  };
}

describe('local webhook sink', () => {
  let sink: WebhookSink;
  const secret = generateSecret();

  beforeEach(async () => {
    sink = await startWebhookSink({ secret, now: () => NOW });
    post = createHttpPoster({ mode: localNetwork([sink.port]) });
  });
  afterEach(() => sink.stop());

  it('records and verifies deliveries on loopback; applies each webhook-id once', async () => {
    const first = await post({ url: `${sink.url}/hooks`, timeoutMs: 5000, ...signed(secret, 'msg_1') });
    const again = await post({ url: `${sink.url}/hooks`, timeoutMs: 5000, ...signed(secret, 'msg_1') });
    const bad = await post({
      url: `${sink.url}/hooks`,
      timeoutMs: 5000,
      ...signed(generateSecret(), 'msg_2'),
    });

    expect([first.status, again.status, bad.status]).toEqual([204, 204, 401]);
    expect(sink.summary()).toMatchObject({ received: 3, unique: 1, duplicates: 1 });
    expect(sink.deliveries().map((d) => [d.webhookId, d.verified, d.eventType])).toEqual([
      ['msg_1', true, 'order.v1.placed'],
      ['msg_1', true, 'order.v1.placed'],
      ['msg_2', false, 'order.v1.placed'],
    ]);
    const view = (await fetch(sink.url).then((r) => r.json())) as { received: number; last: unknown[] };
    expect(view).toMatchObject({ received: 3, unique: 1 });
    expect(view.last).toHaveLength(3);
  });

  it('fails N times with a status, then recovers; gone answers 410', async () => {
    sink.setFault({ mode: 'fail', count: 2, status: 503 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await post({ url: sink.url, timeoutMs: 5000, ...signed(secret, `m${i}`) })).status);
    }
    sink.setFault({ mode: 'gone' });
    statuses.push((await post({ url: sink.url, timeoutMs: 5000, ...signed(secret, 'm9') })).status);

    expect(statuses).toEqual([503, 503, 204, 410]);
    expect(sink.state().fault).toEqual({ mode: 'gone' });
  });

  it('hangs: the request stays unanswered until the client gives up', async () => {
    sink.setFault({ mode: 'hang' });
    const abort = new AbortController();

    const pending = post({ url: sink.url, timeoutMs: 60_000, signal: abort.signal, ...signed(secret, 'h1') });
    await sink.waitForRequests(1);
    abort.abort();

    await expect(pending).rejects.toMatchObject({ kind: 'timeout' });
    expect(sink.deliveries()[0]!.status).toBeNull();
  });

  it('the production poster refuses non-loopback private addresses even in local mode', async () => {
    await expect(
      post({ url: 'http://10.0.0.1:1/', timeoutMs: 1000, body: '', headers: {} }),
    ).rejects.toBeInstanceOf(HttpFailure);
    await expect(
      createHttpPoster({ mode: 'cloud' })({ url: `${sink.url}/`, timeoutMs: 1000, body: '', headers: {} }),
    ).rejects.toMatchObject({ kind: 'unsafe_destination' });
    // A host NAME resolving to loopback is refused at connect time (the DNS-rebinding guard), not only IP literals.
    await expect(
      createHttpPoster({ mode: 'cloud' })({
        url: `http://localhost:${sink.port}/`,
        timeoutMs: 1000,
        body: '',
        headers: {},
      }),
    ).rejects.toMatchObject({ kind: 'unsafe_destination' });
    expect(sink.state().received).toBe(0);
  });
});

describe('end to end on loopback: relay fan-out -> in-process queue -> dispatcher -> real HTTP -> sink', () => {
  it('a sink failing 3 times gets the event on the 4th attempt, verified, with exactly one effect', async () => {
    const table = await freshCommerceTable();
    const clock = { now: NOW };
    const now = () => clock.now;
    const sink = await startWebhookSink({ now });
    try {
      const documentClient = DynamoDBDocumentClient.from(table.client, {
        marshallOptions: { removeUndefinedValues: true },
      });
      const endpoints = new EndpointRegistry({
        documentClient,
        tableName: table.tableName,
        mode: localNetwork([sink.port]),
        now,
      });
      const deliveries = new DeliveryStore({ documentClient, tableName: table.tableName, now });
      const queue = new InProcessQueue({ now });
      const dispatcher = new Dispatcher({
        deliveries,
        endpoints,
        post: createHttpPoster({ mode: localNetwork([sink.port]) }),
        now,
        random: () => 0.5,
      });
      queue.setHandler((message, count) => dispatcher.dispatch(message, count));
      const { secret: endpointSecret } = await endpoints.create({ url: `${sink.url}/hooks` });
      sink.setSecret(endpointSecret);
      sink.setFault({ mode: 'fail', count: 3, status: 500 });
      const event = newEvent({
        eventType: 'order.v1.placed',
        correlationId: 'c',
        producer: { region: 'us-east-1', zone: 'global' },
        aggregate: { type: 'order', id: 'o-9', version: 1 },
        data: { orderId: 'o-9' },
        now: clock.now,
      });

      await new DeliveryFanout(endpoints, deliveries, queue).fanOut([event]);
      for (let step = 0; step < 10 && queue.size > 0; step++) {
        await queue.runDue();
        clock.now = Math.max(clock.now, queue.nextVisibleAt() ?? clock.now);
      }

      expect(sink.deliveries().map((d) => d.status)).toEqual([500, 500, 500, 204]);
      expect(sink.deliveries().every((d) => d.verified === true && d.webhookId === event.eventId)).toBe(true);
      expect(sink.summary()).toMatchObject({ unique: 1, duplicates: 0 });
      expect(clock.now - NOW).toBe(5_000 + 300_000 + 1_800_000);
    } finally {
      await sink.stop();
      await table.drop();
    }
  });
});
