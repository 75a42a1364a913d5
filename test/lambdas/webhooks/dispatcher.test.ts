import { Webhook } from 'standardwebhooks';
import { deliveryIdOf, MAX_ATTEMPTS } from '../../../lambdas/core/webhooks/delivery';
import { FAILING_DISABLE_AFTER_MS } from '../../../lambdas/core/webhooks/endpoint';
import { HttpFailure } from '../../../lambdas/webhooks/http-client';
import { RETRY_SCHEDULE_MS } from '../../../lambdas/webhooks/schedule';
import { webhookHarness } from './support/harness';

const S = 1000;
const H = 3600 * S;
const fail = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: `status ${status}`,
});

describe('webhook dispatcher (DynamoDB Local, in-process queue, fake clock)', () => {
  let h: Awaited<ReturnType<typeof webhookHarness>>;

  beforeEach(async () => {
    h = await webhookHarness();
  });
  afterEach(() => h.drop());

  async function endpointAndEvent(eventTypes = ['*']) {
    const { endpoint, secret } = await h.endpoints.create({
      url: 'https://hooks.example.com/in',
      eventTypes,
    });
    const event = h.event();
    await h.fanout.fanOut([event]);
    return { endpoint, secret, event, deliveryId: deliveryIdOf(event.eventId, endpoint.id) };
  }

  it('delivers immediately, signed per Standard Webhooks, with webhook-id = event id, and logs the attempt', async () => {
    const { secret, event, deliveryId } = await endpointAndEvent();

    await h.queue.runDue();

    expect(h.receiver.requests).toHaveLength(1);
    const { request } = h.receiver.requests[0]!;
    expect(request.timeoutMs).toBe(15_000);
    expect(request.headers['webhook-id']).toBe(event.eventId);
    expect(JSON.parse(request.body)).toEqual(event);
    expect(h.receiver.verify(0, secret, h.now()).id).toBe(event.eventId);
    jest.useFakeTimers({ now: h.now() });
    try {
      expect(new Webhook(secret).verify(request.body, { ...request.headers })).toEqual(event);
    } finally {
      jest.useRealTimers();
    }
    expect(await h.deliveries.get(deliveryId)).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await h.operations.attempts(deliveryId)).toEqual([
      expect.objectContaining({ attempt: 1, responseStatus: 200, outcome: 'succeeded', nextAttemptAt: null }),
    ]);
    expect(h.queue.size).toBe(0);
  });

  it('only delivers to enabled endpoints whose filter matches', async () => {
    const { endpoint: orders } = await h.endpoints.create({
      url: 'https://hooks.example.com/o',
      eventTypes: ['order.*'],
    });
    await h.endpoints.create({ url: 'https://hooks.example.com/c', eventTypes: ['customer.v1.created'] });
    const { endpoint: off } = await h.endpoints.create({
      url: 'https://hooks.example.com/x',
      eventTypes: ['*'],
    });
    await h.endpoints.setEnabled(off.id, false);

    await h.fanout.fanOut([h.event('order.v1.placed')]);
    await h.runUntilIdle();

    expect(h.receiver.requests.map((r) => r.request.url)).toEqual([
      'https://hooks.example.com/in'.replace('in', 'o'),
    ]);
    expect(orders.enabled).toBe(true);
  });

  it('retries on the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), then moves the delivery to the DLQ', async () => {
    h.receiver.fallback = fail(500);
    const { deliveryId, endpoint } = await endpointAndEvent();

    await h.runUntilIdle();

    expect(h.receiver.requests).toHaveLength(MAX_ATTEMPTS);
    expect(h.receiver.gaps()).toEqual(RETRY_SCHEDULE_MS.slice(1)); // random 0.5 = no jitter
    expect(h.receiver.gaps()).toEqual([5 * S, 300 * S, 1800 * S, 2 * H, 5 * H, 10 * H, 10 * H]);
    expect(await h.deliveries.get(deliveryId)).toMatchObject({
      status: 'dead',
      attempts: 8,
      reason: 'exhausted',
    });
    const log = await h.operations.attempts(deliveryId);
    expect(log.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(log.map((a) => a.outcome)).toEqual([...Array(7).fill('retry'), 'dead']);
    expect(log[0]).toMatchObject({ responseStatus: 500, responseBody: 'status 500' });
    expect(Date.parse(log[0]!.nextAttemptAt!)).toBe(Date.parse(log[1]!.at));
    expect(log[7]!.nextAttemptAt).toBeNull();
    expect((await h.operations.listDlq()).entries).toEqual([
      expect.objectContaining({ deliveryId, endpointId: endpoint.id, attempts: 8, lastResponseStatus: 500 }),
    ]);
  });

  it('honours Retry-After on 429/502/503/504 when longer than the schedule, never on other statuses', async () => {
    h.receiver.replies.push(
      fail(429, { 'retry-after': '3600' }),
      fail(503, { 'retry-after': new Date(Date.parse('2030-03-04T11:00:00Z')).toUTCString() }), // sent at 09:00
      fail(500, { 'retry-after': '7200' }),
      fail(504, { 'retry-after': '1' }),
    );
    await endpointAndEvent();

    await h.runUntilIdle();

    expect(h.receiver.gaps().slice(0, 4)).toEqual([1 * H, 2 * H, 30 * 60 * S, 2 * H]);
    expect(h.receiver.requests).toHaveLength(5);
  });

  it('treats a timeout or connection error as a failed attempt with no status', async () => {
    h.receiver.replies.push(new HttpFailure('timeout', 'no response within the timeout'));
    const { deliveryId } = await endpointAndEvent();

    await h.runUntilIdle();

    const log = await h.operations.attempts(deliveryId);
    expect(log[0]).toMatchObject({
      responseStatus: null,
      outcome: 'retry',
      responseBody: expect.stringMatching(/^timeout/),
    });
    expect(log[1]).toMatchObject({ responseStatus: 200, outcome: 'succeeded' });
  });

  it('410 Gone disables the endpoint and stops the delivery; pending deliveries to it stop without a request', async () => {
    h.receiver.replies.push(fail(410));
    const { deliveryId, endpoint } = await endpointAndEvent();
    await h.queue.runDue();
    const queued = await h.deliveries.createIfAbsent(h.event(), endpoint.id); // already queued when 410 came
    await h.queue.enqueue([{ deliveryId: queued!.deliveryId, round: 0 }]);

    await h.runUntilIdle();

    expect(h.receiver.requests).toHaveLength(1);
    expect(await h.deliveries.get(queued!.deliveryId)).toMatchObject({
      status: 'failed',
      reason: 'endpoint_disabled',
    });
    expect(await h.endpoints.getPublic(endpoint.id)).toMatchObject({
      enabled: false,
      disabledReason: 'gone',
    });
    expect(await h.deliveries.get(deliveryId)).toMatchObject({ status: 'failed', reason: 'gone' });
    expect(h.queue.size).toBe(0);
  });

  it('disables an endpoint that has failed continuously for 5 days', async () => {
    h.receiver.fallback = fail(500);
    const { endpoint } = await endpointAndEvent();
    await h.runUntilIdle(); // first delivery: dead after ~28 h, endpoint failing since t0
    const start = Date.parse('2030-03-04T08:00:00Z');
    h.state.now = start + 4 * 24 * H;
    const late = h.event();
    await h.fanout.fanOut([late]);

    await h.runUntilIdle();

    expect(await h.endpoints.getPublic(endpoint.id)).toMatchObject({
      enabled: false,
      disabledReason: 'failing',
    });
    const stopped = await h.deliveries.get(deliveryIdOf(late.eventId, endpoint.id));
    expect(stopped).toMatchObject({ status: 'failed', reason: 'endpoint_disabled' });
    expect(Date.parse(stopped!.lastAttemptAt!) - start).toBeGreaterThanOrEqual(FAILING_DISABLE_AFTER_MS);
  });

  it('redelivered queue messages and duplicate stream fan-outs cause exactly one request and one effect', async () => {
    const { event, endpoint } = await endpointAndEvent();
    await h.fanout.fanOut([event, event]); // duplicate stream records
    const message = { deliveryId: deliveryIdOf(event.eventId, endpoint.id), round: 0 };
    await h.queue.enqueue([message, message]); // SQS at-least-once redelivery

    await h.runUntilIdle();

    expect(h.receiver.requests).toHaveLength(1);
    expect([...h.receiver.effects.values()]).toEqual([1]);
  });

  it('a redelivered copy racing a failed attempt does not start a second retry chain', async () => {
    h.receiver.replies.push(fail(500), fail(500));
    const { deliveryId } = await endpointAndEvent();
    await h.queue.runDue(); // attempt 1 fails, retry in 5 s
    await h.queue.enqueue([{ deliveryId, round: 0 }]); // a duplicate copy appears

    await h.runUntilIdle();

    const log = await h.operations.attempts(deliveryId);
    expect(log.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(await h.deliveries.get(deliveryId)).toMatchObject({ status: 'succeeded' });
  });

  it('signs with both secrets for 24 h after a rotation, then with the new one only', async () => {
    const { endpoint, secret: oldSecret } = await h.endpoints.create({ url: 'https://hooks.example.com/in' });
    const { secret: newSecret } = await h.endpoints.rotate(endpoint.id);

    await h.fanout.fanOut([h.event()]);
    await h.runUntilIdle();
    h.state.now += 24 * H;
    await h.fanout.fanOut([h.event()]);
    await h.runUntilIdle();

    const [during, after] = h.receiver.requests;
    expect(during!.request.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => h.receiver.verify(0, oldSecret, during!.at)).not.toThrow();
    expect(() => h.receiver.verify(0, newSecret, during!.at)).not.toThrow();
    expect(after!.request.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(() => h.receiver.verify(1, newSecret, after!.at)).not.toThrow();
    expect(() => h.receiver.verify(1, oldSecret, after!.at)).toThrow('no matching signature');
  });

  it('recovers an endpoint: failed and dead deliveries in the window are sent again; the consumer applies each once', async () => {
    h.receiver.fallback = fail(500);
    const { endpoint } = await h.endpoints.create({ url: 'https://hooks.example.com/in' });
    const windowStart = new Date(h.now()).toISOString();
    await h.fanout.fanOut([h.event('order.v1.placed', { orderId: 'a' })]);
    h.state.now += S;
    await h.fanout.fanOut([h.event('order.v1.placed', { orderId: 'b' })]);
    await h.runUntilIdle();
    expect((await h.operations.listDlq()).entries).toHaveLength(2);
    h.state.now += H;
    const outside = h.event('order.v1.placed', { orderId: 'c' });
    const windowEnd = new Date(h.now()).toISOString();
    await h.fanout.fanOut([outside]);
    await h.runUntilIdle();
    h.receiver.fallback = { status: 204, headers: {}, body: '' };

    const { recovered } = await h.operations.recover(endpoint.id, { since: windowStart, until: windowEnd });
    await h.runUntilIdle();

    expect(recovered).toHaveLength(2);
    expect(recovered).not.toContain(deliveryIdOf(outside.eventId, endpoint.id));
    expect(h.receiver.effects.size).toBe(2);
    for (const id of recovered) {
      expect(await h.deliveries.get(id)).toMatchObject({ status: 'succeeded', round: 1 });
      const log = await h.operations.attempts(id);
      expect(log.at(-1)).toMatchObject({ round: 1, attempt: 1, responseStatus: 204 });
      expect(log).toHaveLength(9);
    }
    expect((await h.operations.listDlq()).entries.map((e) => e.deliveryId)).toEqual([
      deliveryIdOf(outside.eventId, endpoint.id),
    ]);
  });

  it('redrives the DLQ and resends one message; the webhook-id stays the same so consumers dedupe', async () => {
    h.receiver.fallback = fail(502);
    const { deliveryId, event } = await endpointAndEvent();
    await h.runUntilIdle();
    h.receiver.fallback = { status: 200, headers: {}, body: 'ok' };

    const { redriven } = await h.operations.redriveDlq();
    await h.runUntilIdle();
    await h.operations.resend(deliveryId);
    await h.runUntilIdle();

    expect(redriven).toEqual([deliveryId]);
    expect((await h.operations.listDlq()).entries).toEqual([]);
    expect(h.receiver.requests.slice(-2).map((r) => r.request.headers['webhook-id'])).toEqual([
      event.eventId,
      event.eventId,
    ]);
    expect(h.receiver.effects.get(event.eventId)).toBe(1);
    expect(await h.deliveries.get(deliveryId)).toMatchObject({ status: 'succeeded', round: 2 });
    await expect(h.operations.resend('nope')).rejects.toThrow(/not found/);
  });

  it('drops a message from an earlier round (superseded by a resend)', async () => {
    const { deliveryId } = await endpointAndEvent();
    await h.runUntilIdle();
    await h.operations.resend(deliveryId);
    await h.queue.enqueue([{ deliveryId, round: 0 }]);

    await h.runUntilIdle();

    expect(h.receiver.requests).toHaveLength(2);
  });
});
