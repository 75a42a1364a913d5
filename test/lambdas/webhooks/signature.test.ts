import { Webhook } from 'standardwebhooks';
import {
  generateSecret,
  secretKey,
  signatureHeaders,
  verifyWebhook,
  WebhookVerificationError,
} from '../../../lambdas/webhooks/signature';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const NOW_S = NOW / 1000;
const body = JSON.stringify({ eventType: 'order.v1.placed', data: { orderId: 'o-1', note: 'ünïcødé' } });
const id = '01JNQ7Z1M2X3Y4Z5A6B7C8D9EF';

describe('Standard Webhooks signatures', () => {
  beforeAll(() => jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate'] }));
  afterAll(() => jest.useRealTimers());

  it('generates whsec_ secrets of 24-64 random bytes and refuses other sizes', () => {
    expect(secretKey(generateSecret()).length).toBe(32);
    expect(secretKey(generateSecret(24)).length).toBe(24);
    expect(secretKey(generateSecret(64)).length).toBe(64);
    expect(generateSecret()).not.toBe(generateSecret());
    expect(() => generateSecret(16)).toThrow(RangeError);
    expect(() => secretKey(`whsec_${Buffer.alloc(8).toString('base64')}`)).toThrow(/24-64 bytes/);
  });

  it('produces signatures the official standardwebhooks package verifies', () => {
    const secret = generateSecret();
    const headers = signatureHeaders({ id, timestampSeconds: NOW_S, body, secrets: [secret] });
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('verifies signatures made by the official package, byte for byte the same', () => {
    const secret = generateSecret(48);
    const official = new Webhook(secret).sign(id, new Date(NOW), body);
    const headers = { 'Webhook-Id': id, 'Webhook-Timestamp': String(NOW_S), 'Webhook-Signature': official };
    expect(verifyWebhook({ body, headers, secret, now: NOW })).toEqual({ id, timestampSeconds: NOW_S });
    expect(
      signatureHeaders({ id, timestampSeconds: NOW_S, body, secrets: [secret] })['webhook-signature'],
    ).toBe(official);
  });

  it('sends one signature per secret during rotation; either secret verifies, with both libraries', () => {
    const [oldSecret, newSecret] = [generateSecret(), generateSecret()];
    const headers = signatureHeaders({ id, timestampSeconds: NOW_S, body, secrets: [newSecret, oldSecret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      expect(() => verifyWebhook({ body, headers, secret, now: NOW })).not.toThrow();
      expect(() => new Webhook(secret).verify(body, { ...headers })).not.toThrow();
    }
  });

  it('refuses a tampered body, a wrong secret, an old or future timestamp and missing headers', () => {
    const secret = generateSecret();
    const headers = signatureHeaders({ id, timestampSeconds: NOW_S, body, secrets: [secret] });
    const fails = (input: Partial<Parameters<typeof verifyWebhook>[0]>) => () =>
      verifyWebhook({ body, headers, secret, now: NOW, ...input });

    expect(fails({ body: body.replace('o-1', 'o-2') })).toThrow(WebhookVerificationError);
    expect(fails({ secret: generateSecret() })).toThrow('no matching signature');
    expect(fails({ now: NOW + 301_000 })).toThrow('timestamp too old');
    expect(fails({ now: NOW - 301_000 })).toThrow('timestamp too new');
    expect(fails({ now: NOW + 299_000 })).not.toThrow();
    expect(fails({ headers: { ...headers, 'webhook-id': 'another-id' } })).toThrow('no matching signature');
    expect(fails({ headers: { 'webhook-id': id } })).toThrow('missing webhook-* headers');
    expect(
      fails({
        headers: { ...headers, 'webhook-signature': headers['webhook-signature'].replace('v1', 'v2') },
      }),
    ).toThrow('no matching signature');
  });

  it('reads headers from a fetch Headers object', () => {
    const secret = generateSecret();
    const headers = new Headers({
      ...signatureHeaders({ id, timestampSeconds: NOW_S, body, secrets: [secret] }),
    });
    expect(verifyWebhook({ body: Buffer.from(body), headers, secret, now: NOW }).id).toBe(id);
  });
});
