import { createHarness, EU_ENDPOINT, type Harness } from './harness';

/** One request per personal-data route other than sign-up, as `customerId` would send them. */
const personalDataRequests = (customerId: string) =>
  [
    ['POST', '/v1/carts', {}],
    ['GET', '/v1/carts/01JCART0000000000000000000', undefined],
    ['GET', '/v1/orders', undefined],
    ['POST', '/v1/checkout', { cartId: 'abc' }],
    ['GET', `/v1/customers/${customerId}`, undefined],
    ['PATCH', `/v1/customers/${customerId}`, { name: 'Eva' }],
    ['DELETE', `/v1/customers/${customerId}`, undefined],
  ] as const;

describe('residency and customer data', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.drop());

  it('refuses a customer whose country belongs to another zone with 421 naming that endpoint, writing nothing', async () => {
    const before = await h.scanAll();
    // A sign-up: the identity provider does not know the home zone yet, so the body's country decides.
    const token = await h.token('cust-de', { homeZone: null });
    const response = await h.call('POST', '/v1/customers', {
      token,
      key: 'de-1',
      body: { email: 'anna@example.de', name: 'Anna', country: 'DE' },
    });
    expect(response.status).toBe(421);
    expect(await response.json()).toMatchObject({
      code: 'misdirected_request',
      zone: 'eu',
      endpoint: EU_ENDPOINT,
    });
    expect(await h.scanAll()).toEqual(before);
  });

  it('refuses any personal-data request of a customer homed elsewhere (token home_zone), writing nothing', async () => {
    const before = await h.scanAll();
    const token = await h.token('cust-eu', { homeZone: 'eu' });
    for (const [method, path, body] of personalDataRequests('cust-eu')) {
      const response = await h.call(method, path, {
        token,
        key: `eu-${method}-${path}`,
        ...(body ? { body } : {}),
      });
      expect({ method, path, status: response.status, body: await response.json() }).toMatchObject({
        status: 421,
        body: { code: 'misdirected_request', zone: 'eu', endpoint: EU_ENDPOINT },
      });
    }
    expect(await h.scanAll()).toEqual(before);
  });

  it('fails closed on a token without home_zone: 403 on every personal-data route but sign-up, writing nothing', async () => {
    // Prepare
    const before = await h.scanAll();
    const token = await h.token('cust-unknown', { homeZone: null });
    // Act
    const refused = [];
    for (const [method, path, body] of personalDataRequests('cust-unknown')) {
      const response = await h.call(method, path, {
        token,
        key: `unknown-${method}-${path}`,
        ...(body ? { body } : {}),
      });
      refused.push({ method, path, status: response.status, body: await response.json() });
    }
    const afterRefusals = await h.scanAll();
    const signUp = await h.call('POST', '/v1/customers', {
      token,
      key: 'unknown-signup',
      body: { email: 'lee@example.com', name: 'Lee', country: 'US' },
    });
    // Assess
    for (const answer of refused)
      expect(answer).toMatchObject({
        status: 403,
        body: { code: 'home_zone_unknown', detail: expect.stringContaining('home_zone') },
      });
    expect(afterRefusals).toEqual(before);
    expect(signUp.status).toBe(201);
  });

  it('creates, updates and erases a local customer; the erasure keeps no personal data', async () => {
    const token = await h.token('cust-us');
    const created = await h.call('POST', '/v1/customers', {
      token,
      key: 'us-1',
      body: { email: 'sam@example.com', name: 'Sam Doe', country: 'us' },
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'cust-us', homeZone: 'global', country: 'US' });

    const updated = await h.call('PATCH', '/v1/customers/cust-us', {
      token,
      key: 'us-2',
      body: { name: 'Sam Roe' },
    });
    expect(await updated.json()).toMatchObject({ name: 'Sam Roe', version: 2 });
    const read = await h.call('GET', '/v1/customers/cust-us', { token });
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: 'cust-us', email: 'sam@example.com', name: 'Sam Roe' });
    expect((await h.call('GET', '/v1/customers/someone-else', { token })).status).toBe(403);

    const erased = await h.call('DELETE', '/v1/customers/cust-us', { token, key: 'us-3' });
    expect(erased.status).toBe(200);
    expect((await h.call('GET', '/v1/customers/cust-us', { token })).status).toBe(404);

    const items = await h.scanAll();
    const everything = JSON.stringify(items);
    expect(everything).not.toMatch(/sam@example\.com|Sam Doe|Sam Roe/);
    const erasedEvents = items.filter(
      (i) =>
        i.entity === 'outbox' && (i.envelope as { eventType: string }).eventType === 'customer.v1.erased',
    );
    expect(erasedEvents).toHaveLength(1);
    const audit = await h.call('GET', '/v1/admin/audit?resourceType=customer&resourceId=cust-us', {
      token: await h.adminToken(),
    });
    const actions = ((await audit.json()) as { items: { action: string }[] }).items.map((e) => e.action);
    expect(actions).toEqual(['customer.create', 'customer.update', 'customer.erase']);
  });
});
