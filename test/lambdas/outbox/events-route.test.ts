import { EVENTS_SCOPE } from '../../../lambdas/api/routes/events';
import { eventEnvelopeSchema } from '../../../lambdas/core/events/envelope';
import { createHarness, type Harness } from '../api/harness';

describe('GET /v1/events (pull/replay by cursor)', () => {
  let h: Harness;
  let reader: string;
  let shopper: string;

  beforeAll(async () => {
    h = await createHarness({ eventSettleMs: 5000 });
    reader = await h.token('integration-1', { scopes: [EVENTS_SCOPE] });
    shopper = await h.token('shopper-1');
  });
  afterAll(() => h.drop());

  const page = async (query: string) => {
    const response = await h.call('GET', `/v1/events${query}`, { token: reader });
    expect(response.status).toBe(200);
    return (await response.json()) as {
      items: { eventId: string; eventType: string; occurredAt: string }[];
      nextCursor: string | null;
    };
  };

  it('returns settled events in the order they occurred, page by page, and nothing twice', async () => {
    for (let i = 0; i < 5; i++) {
      const created = await h.call('POST', '/v1/carts', { token: shopper, key: `cart-${i}`, body: {} });
      expect(created.status).toBe(201);
      h.clock.now += 1000;
    }
    // The last carts are younger than the 5 s settle window.
    const early = await page('?limit=10');
    expect(early.items.length).toBeLessThan(5);

    h.clock.now += 5000;
    const first = await page('?limit=2');
    const second = await page(`?limit=2&after=${first.nextCursor}`);
    const third = await page(`?limit=2&after=${second.nextCursor}`);
    const empty = await page(`?after=${third.nextCursor}`);

    const items = [...first.items, ...second.items, ...third.items] as {
      eventId: string;
      occurredAt: string;
    }[];
    const ids = items.map((e) => e.eventId);
    expect(ids).toHaveLength(5);
    const times = items.map((e) => e.occurredAt);
    expect([...times].sort()).toEqual(times);
    expect(new Set(ids).size).toBe(5);
    expect(empty).toEqual({ items: [], nextCursor: third.nextCursor });
    for (const event of first.items) expect(eventEnvelopeSchema.safeParse(event).success).toBe(true);
    expect(first.items.every((e) => e.eventType === 'cart.v1.created')).toBe(true);
  });

  it('refuses a malformed cursor with problem+json and requires the events:read scope', async () => {
    const bad = await h.call('GET', '/v1/events?after=not-a-ulid', { token: reader });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await h.call('GET', '/v1/events', { token: shopper })).status).toBe(403);
  });
});
