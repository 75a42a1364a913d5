import { generateDevKeys, mintDevToken } from '../../../local/dev-auth';
import { SCOPES } from '../../../lambdas/core/scopes';
import { createHarness, type Harness } from './harness';

describe('bearer JWT auth and scopes', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.drop());

  it('serves the catalog without a token', async () => {
    expect((await h.call('GET', '/v1/products')).status).toBe(200);
  });

  it.each([
    ['no token', async () => undefined],
    ['garbage token', async () => 'not.a.jwt'],
    ['token signed by another key', async () => mintDevToken(await generateDevKeys(), { subject: 'x' })],
    ['wrong audience', async () => mintDevToken(h.keys, { subject: 'x', audience: 'someone-else' })],
    ['wrong issuer', async () => mintDevToken(h.keys, { subject: 'x', issuer: 'https://evil.example/' })],
    [
      'expired token',
      async () => mintDevToken(h.keys, { subject: 'x', ttlSeconds: 60, now: h.clock.now - 3600_000 }),
    ],
  ])('answers 401 for %s', async (_name, makeToken) => {
    const token = await makeToken();
    const response = await h.call('GET', '/v1/orders', token ? { token } : {});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await response.json()).toMatchObject({ code: 'unauthorized' });
  });

  it('answers 403 when the token lacks the route scope', async () => {
    const token = await h.token('cust-scopes', { scopes: [SCOPES.carts] });
    const response = await h.call('GET', '/v1/orders', { token });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'forbidden', requiredScope: SCOPES.orders });
  });

  it('keeps customers out of admin routes and lets operators in', async () => {
    const customer = await h.token('cust-admin');
    expect((await h.call('GET', '/v1/admin/audit/verify', { token: customer })).status).toBe(403);
    expect((await h.call('GET', '/v1/admin/audit/verify', { token: await h.adminToken() })).status).toBe(200);
  });

  it('lets the drill flag turn /v1/health to 503 and back', async () => {
    const token = await h.adminToken();
    const on = await h.call('PUT', '/v1/admin/drill', { token, key: 'drill-on', body: { enabled: true } });
    expect(on.status).toBe(200);
    expect((await h.call('GET', '/v1/health')).status).toBe(503);
    await h.call('PUT', '/v1/admin/drill', { token, key: 'drill-off', body: { enabled: false } });
    expect((await h.call('GET', '/v1/health')).status).toBe(200);
  });
});
