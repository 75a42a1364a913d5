import { createHarness, type Harness } from '../harness';

/** Mutating routes ask the writer fence before anything else; a fenced cell writes nothing. */
describe('writer fence on mutating routes', () => {
  let h: Harness;
  let writer = true;
  beforeAll(async () => {
    h = await createHarness({
      writerFence: {
        state: async () => (writer ? { writer: true } : { writer: false, reason: 'test: fenced' }),
      },
    });
  });
  afterAll(() => h.drop());
  afterEach(() => {
    writer = true;
  });

  it('answers 503 not_writer with Retry-After, stores no key and writes nothing', async () => {
    const token = await h.token('fenced-shopper');
    const before = await h.scanAll();
    writer = false;
    // Act
    const refused = await h.call('POST', '/v1/carts', { token, key: 'fenced-1', body: {} });
    // Assess
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ code: 'not_writer', zone: 'global' });
    expect(await h.scanAll()).toEqual(before);
    // The same key works once the cell is the writer again: the refusal was not stored.
    writer = true;
    const accepted = await h.call('POST', '/v1/carts', { token, key: 'fenced-1', body: {} });
    expect(accepted.status).toBe(201);
  });

  it('keeps serving reads while fenced', async () => {
    writer = false;
    const read = await h.call('GET', '/v1/products?limit=1');
    expect(read.status).toBe(200);
  });
});
