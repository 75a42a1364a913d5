import { Webhook } from 'standardwebhooks';
import { generateSecret, signatureHeaders } from '../../../../lambdas/webhooks/signature';
import type { CommerceEvent } from '../../../../clients/commerce-client/contract';
import { StoreDedupe } from '../../../../clients/commerce-client/webhooks/dedupe';
import { WebhookReceiver } from '../../../../clients/commerce-client/webhooks/receiver';
import { MemoryStore } from '../../../../clients/commerce-client/storage/durable-store';

/** Deliveries signed by the API's own signer (lambdas/webhooks/signature.ts), as the dispatcher sends them. */
function delivery(secret: string | string[], id = '01JABCDEFGHJKMNPQRSTVWXYZ0', body?: string) {
  const text =
    body ??
    JSON.stringify({
      eventId: id,
      eventType: 'order.v1.placed',
      occurredAt: '2026-01-01T00:00:00.000Z',
      correlationId: 'c-1',
      causationId: null,
      producer: { region: 'us-east-1', zone: 'global' },
      aggregate: { type: 'order', id: 'o-1', version: 1 },
      data: { orderId: 'o-1' },
    });
  const headers = signatureHeaders({
    id,
    timestampSeconds: Math.floor(Date.now() / 1000),
    body: text,
    secrets: typeof secret === 'string' ? [secret] : secret,
  });
  return { body: text, headers: { ...headers, 'content-type': 'application/json' } };
}

function receiver(
  secrets: string | string[],
  handle: jest.Mock = jest.fn(async (_event: CommerceEvent) => undefined),
) {
  const dedupe = new StoreDedupe(new MemoryStore());
  return { receiver: new WebhookReceiver({ secrets, dedupe, handle }), handle, dedupe };
}

describe('webhook receiver', () => {
  const secret = generateSecret();

  it('verifies, handles once, and answers a redelivery of the same webhook-id without handling it again', async () => {
    const { receiver: r, handle } = receiver(secret);
    const message = delivery(secret);
    expect(await r.receive(message)).toEqual({
      status: 200,
      body: { outcome: 'handled', id: message.headers['webhook-id'] },
    });
    expect(await r.receive(message)).toEqual({
      status: 200,
      body: { outcome: 'duplicate', id: message.headers['webhook-id'] },
    });
    expect(handle).toHaveBeenCalledTimes(1);
    expect(handle.mock.calls[0]![0]).toMatchObject({
      eventType: 'order.v1.placed',
      data: { orderId: 'o-1' },
    });
  });

  it('refuses a wrong signature, a tampered body and a stale timestamp before any side effect or claim', async () => {
    const { receiver: r, handle, dedupe } = receiver(secret);
    const wrong = delivery(generateSecret());
    const tampered = { ...delivery(secret), body: delivery(secret).body.replace('o-1', 'o-2') };
    const stale = delivery(secret);
    stale.headers['webhook-timestamp'] = String(Math.floor(Date.now() / 1000) - 3600);
    for (const message of [wrong, tampered, stale]) {
      expect((await r.receive(message)).status).toBe(401);
    }
    expect(handle).not.toHaveBeenCalled();
    expect(await dedupe.claim(wrong.headers['webhook-id'])).toBe('claimed'); // nothing was recorded for it
  });

  it('accepts either secret during a rotation (the API signs with both)', async () => {
    const old = generateSecret();
    const next = generateSecret();
    const { receiver: r, handle } = receiver([next]);
    expect((await r.receive(delivery([old, next], '01JROTATE00000000000000000'))).status).toBe(200);
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('agrees with the standardwebhooks package as sender', async () => {
    const { receiver: r } = receiver(secret);
    const body = delivery(secret).body;
    const signed = new Webhook(secret).sign('01JSTANDARD000000000000000', new Date(), body);
    const result = await r.receive({
      body,
      headers: {
        'webhook-id': '01JSTANDARD000000000000000',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': signed,
      },
    });
    expect(result.status).toBe(200);
  });

  it('releases the id when the handler fails, so the redelivery runs it again', async () => {
    const handle = jest.fn(async () => undefined);
    handle.mockRejectedValueOnce(new Error('database down'));
    const { receiver: r } = receiver(secret, handle);
    const message = delivery(secret);
    expect(await r.receive(message)).toMatchObject({
      status: 500,
      body: { outcome: 'handler_failed', detail: 'database down' },
    });
    expect(await r.receive(message)).toMatchObject({ status: 200, body: { outcome: 'handled' } });
    expect(handle).toHaveBeenCalledTimes(2);
  });

  it('answers 409 to a concurrent delivery of an id being handled, and handles it once', async () => {
    let finish: () => void = () => undefined;
    const handle = jest.fn(() => new Promise<undefined>((resolve) => (finish = () => resolve(undefined))));
    const { receiver: r } = receiver(secret, handle);
    const message = delivery(secret);
    const first = r.receive(message);
    await new Promise((resolve) => setImmediate(resolve));
    while (handle.mock.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(await r.receive(message)).toMatchObject({ status: 409, body: { outcome: 'in_progress' } });
    finish();
    expect(await first).toMatchObject({ status: 200 });
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('serves fetch-style frameworks with handleRequest', async () => {
    const { receiver: r, handle } = receiver(secret);
    const message = delivery(secret);
    const response = await r.handleRequest(
      new Request('http://app.test/webhooks', {
        method: 'POST',
        body: message.body,
        headers: message.headers,
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ outcome: 'handled' });
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('refuses a signed body that is not an event envelope with 400', async () => {
    const { receiver: r, handle } = receiver(secret);
    expect((await r.receive(delivery(secret, '01JNOTANEVENT0000000000000', '{"hello":1}'))).status).toBe(400);
    expect((await r.receive(delivery(secret, '01JNOTJSON0000000000000000', 'not json'))).status).toBe(400);
    expect(handle).not.toHaveBeenCalled();
  });

  it('says how to fix a malformed secret', () => {
    expect(
      () =>
        new WebhookReceiver({
          secrets: 'abc',
          dedupe: new StoreDedupe(new MemoryStore()),
          handle: async () => undefined,
        }),
    ).toThrow(/whsec_/);
  });
});

describe('StoreDedupe', () => {
  it('lets a claim whose lease ran out (its process died) be taken over', async () => {
    let now = 0;
    const dedupe = new StoreDedupe(new MemoryStore(), { leaseMs: 1000, now: () => now });
    expect(await dedupe.claim('e1')).toBe('claimed');
    now = 999;
    expect(await dedupe.claim('e1')).toBe('busy');
    now = 1000;
    expect(await dedupe.claim('e1')).toBe('claimed');
    await dedupe.complete('e1');
    now = 10_000_000;
    expect(await dedupe.claim('e1')).toBe('done');
  });

  it('serializes concurrent claims of one id: exactly one wins', async () => {
    const dedupe = new StoreDedupe(new MemoryStore());
    const results = await Promise.all(Array.from({ length: 10 }, () => dedupe.claim('same')));
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
  });

  it('prunes handled ids older than asked', async () => {
    let now = 0;
    const dedupe = new StoreDedupe(new MemoryStore(), { now: () => now });
    await dedupe.claim('old');
    await dedupe.complete('old');
    now = 1000;
    await dedupe.claim('new');
    await dedupe.complete('new');
    expect(await dedupe.prune(500)).toBe(1);
    expect(await dedupe.claim('old')).toBe('claimed');
    expect(await dedupe.claim('new')).toBe('done');
  });
});
