import type { CommerceEvent } from '../../../../clients/commerce-client/contract';
import { ProblemError } from '../../../../clients/commerce-client/problem';
import { MemoryStore } from '../../../../clients/commerce-client/storage/durable-store';
import { EventCatchUp } from '../../../../clients/commerce-client/webhooks/catch-up';
import { StoreDedupe } from '../../../../clients/commerce-client/webhooks/dedupe';
import { testClient } from '../support/clients';
import { FakeZone } from '../support/fake-zone';

describe('events catch-up (GET /v1/events)', () => {
  let zone: FakeZone;
  beforeEach(async () => {
    zone = await new FakeZone('global', ['r1']).start();
    zone.addEvents(7);
  });
  afterEach(() => zone.stop());

  function setup(handle: jest.Mock = jest.fn(async (_event: CommerceEvent) => undefined)) {
    const { client } = testClient({ baseUrl: zone.primary.url, token: 'events-token' });
    const store = new MemoryStore();
    const dedupe = new StoreDedupe(store);
    return {
      client,
      store,
      dedupe,
      handle,
      catchUp: new EventCatchUp({ client, store, dedupe, handle, pageSize: 3 }),
    };
  }

  const eventQueries = () =>
    zone.primary
      .requests({ path: /^\/v1\/events/ })
      .map((r) => new URL(r.path, 'http://x').searchParams.get('after'));

  it("pages from the stored cursor, passing each page's nextCursor back as is, and persists it", async () => {
    const { catchUp, handle, store } = setup();
    const report = await catchUp.run();
    expect(report).toMatchObject({ pages: 3, handled: 7, duplicates: 0, caughtUp: true });
    expect(handle.mock.calls.map(([event]) => event.eventId)).toEqual(zone.events.map((e) => e.eventId));
    const cursors = eventQueries();
    expect(cursors[0]).toBeNull();
    const pages = zone.primary.requests({ path: /^\/v1\/events/ });
    expect(pages.every((r) => r.headers.authorization === 'Bearer events-token')).toBe(true);
    expect(await store.get('webhooks/events-cursor')).toBe(report.cursor);

    // the next run starts from the persisted cursor and finds only what is new
    zone.addEvents(2);
    const next = await new EventCatchUp({ ...setupFrom(store, catchUp), pageSize: 3 }).run();
    expect(next).toMatchObject({ handled: 2, pages: 1 });
    expect(eventQueries().at(-1)).toBe(report.cursor);
  });

  function setupFrom(store: MemoryStore, _previous: EventCatchUp) {
    const { client } = testClient({ baseUrl: zone.primary.url, token: 'events-token' });
    return { client, store, dedupe: new StoreDedupe(store), handle: async () => undefined };
  }

  it('skips events a webhook already delivered (same dedupe store, checked before the handler)', async () => {
    const { catchUp, handle, dedupe } = setup();
    for (const event of zone.events.slice(0, 2)) {
      await dedupe.claim(event.eventId);
      await dedupe.complete(event.eventId);
    }
    const report = await catchUp.run();
    expect(report).toMatchObject({ handled: 5, duplicates: 2 });
    expect(handle).toHaveBeenCalledTimes(5);
  });

  it('stops on a handler failure without moving the cursor past that page, and resumes there', async () => {
    const handle = jest.fn(async (event: CommerceEvent) => {
      if (event.eventId === zone.events[4]!.eventId && handle.mock.calls.length < 6)
        throw new Error('downstream down');
    });
    const { catchUp, store } = setup(handle);
    await expect(catchUp.run()).rejects.toThrow('downstream down');
    const afterFailure = await store.get('webhooks/events-cursor');
    expect(eventQueries()).toHaveLength(2);
    expect(afterFailure).toBe(eventQueries()[1]); // first page's nextCursor: page 2 is not done

    const report = await catchUp.run();
    expect(report).toMatchObject({ handled: 3, duplicates: 1, caughtUp: true }); // event 4 handled before the failure
    const handledIds = handle.mock.calls.map(([event]) => event.eventId);
    for (const event of zone.events) {
      const times = handledIds.filter((id) => id === event.eventId).length;
      expect(times).toBe(event.eventId === zone.events[4]!.eventId ? 2 : 1); // the failed one ran twice
    }
  });

  it('surfaces a refusal (e.g. a token without events:read) as a ProblemError', async () => {
    zone.primary.intercept = (r) =>
      r.path.startsWith('/v1/events') ? { status: 403, body: { status: 403, code: 'forbidden' } } : undefined;
    const { catchUp } = setup();
    await expect(catchUp.run()).rejects.toBeInstanceOf(ProblemError);
  });
});
