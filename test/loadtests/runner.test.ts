import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEALTH_FLOW, SHOPPER_FLOW } from '../../loadtests/flow';
import { NonLoopbackTargetError } from '../../loadtests/loopback';
import type { LoadProfile } from '../../loadtests/profiles';
import { startLoad } from '../../loadtests/runner';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

async function serve(
  handler: Handler,
): Promise<{ url: string; server: Server; maxConcurrent: () => number }> {
  let current = 0;
  let max = 0;
  const server = createServer((req, res) => {
    current++;
    max = Math.max(max, current);
    res.on('finish', () => current--);
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, maxConcurrent: () => max };
}

const profile = (overrides: Partial<LoadProfile>): LoadProfile => ({
  name: 'smoke',
  purpose: 'test',
  startRate: 20,
  stages: [{ durationSeconds: 1, target: 20 }],
  maxInFlight: 50,
  maxIterations: 1000,
  thresholds: { p95Ms: 2000, p99Ms: 3000, maxErrorRate: 0.01, abortOnFail: false, abortGraceSeconds: 0 },
  ...overrides,
});

const json = (res: ServerResponse, status: number, body: unknown, servedBy = 'global/us-east-1') => {
  res.writeHead(status, { 'content-type': 'application/json', 'x-served-by': servedBy });
  res.end(JSON.stringify(body));
};

describe('local load runner', () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

  it('refuses a target that is not loopback', () => {
    expect(() =>
      startLoad({ baseUrl: 'http://example.com', profile: profile({}), flow: HEALTH_FLOW }),
    ).toThrow(NonLoopbackTargetError);
  });

  it('keeps arriving on schedule while responses are slow (open model) and never exceeds the concurrency cap', async () => {
    // Prepare: every answer takes 400 ms; 20 arrivals/s with at most 4 in flight
    const target = await serve((_req, res) => setTimeout(() => json(res, 200, { status: 'pass' }), 400));
    servers.push(target.server);
    // Act
    const summary = await startLoad({
      baseUrl: target.url,
      profile: profile({ maxInFlight: 4 }),
      flow: HEALTH_FLOW,
    }).done;
    // Assess: a closed loop of 4 would have made ~10 attempts; the open model made ~20 arrivals
    expect(summary.iterationsStarted + summary.iterationsDropped).toBeGreaterThanOrEqual(17);
    expect(summary.iterationsDropped).toBeGreaterThan(0);
    expect(target.maxConcurrent()).toBeLessThanOrEqual(4);
    expect(summary.stopReason).toBe('completed');
  });

  it('records per-second buckets with success and serving cell, and fails the error-rate threshold', async () => {
    // Prepare: every third request fails, answers come from two cells
    let n = 0;
    const target = await serve((_req, res) => {
      n++;
      json(res, n % 3 === 0 ? 503 : 200, {}, n % 2 === 0 ? 'global/us-west-2' : 'global/us-east-1');
    });
    servers.push(target.server);
    const seconds: number[] = [];
    // Act
    const summary = await startLoad({
      baseUrl: target.url,
      profile: profile({ stages: [{ durationSeconds: 2, target: 20 }] }),
      flow: HEALTH_FLOW,
      onSecond: (bucket) => seconds.push(bucket.second),
    }).done;
    // Assess
    expect(summary.buckets.length).toBeGreaterThanOrEqual(2);
    const first = summary.buckets[0]!;
    expect(first.count).toBeGreaterThan(10);
    expect(first.success).toBeLessThan(first.count);
    expect(Object.keys(summary.servedBy).sort()).toEqual(['global/us-east-1', 'global/us-west-2']);
    expect(summary.thresholds.find((t) => t.name === 'errorRate')?.ok).toBe(false);
    expect(summary.failuresByStep['health 503']).toBe(summary.failures);
    expect(summary.passed).toBe(false);
    expect(seconds.slice(0, 1)).toEqual([0]);
  });

  it('stops at the request bound', async () => {
    const target = await serve((_req, res) => json(res, 200, {}));
    servers.push(target.server);
    const summary = await startLoad({
      baseUrl: target.url,
      profile: profile({ maxIterations: 7 }),
      flow: HEALTH_FLOW,
    }).done;
    expect(summary.iterationsStarted).toBe(7);
    expect(summary.requests).toBe(7);
    expect(summary.stopReason).toBe('max-iterations');
  });

  it('aborts early when a threshold fails and abortOnFail is set', async () => {
    const target = await serve((_req, res) => json(res, 500, {}));
    servers.push(target.server);
    const summary = await startLoad({
      baseUrl: target.url,
      profile: profile({
        stages: [{ durationSeconds: 30, target: 10 }],
        thresholds: { p95Ms: 1000, p99Ms: 1000, maxErrorRate: 0.01, abortOnFail: true, abortGraceSeconds: 0 },
      }),
      flow: HEALTH_FLOW,
    }).done;
    expect(summary.stopReason).toBe('threshold-abort');
    // 30 s at 10/s would be 300 iterations; the abort stops arrivals after the first second
    expect(summary.iterationsStarted).toBeLessThan(100);
  });

  it('runs the shopper flow with an idempotency key on every mutating request', async () => {
    // Prepare
    const seen: { method: string; url: string; key: string | undefined }[] = [];
    const target = await serve((req, res) => {
      const key = req.headers['idempotency-key'];
      seen.push({ method: req.method!, url: req.url!, key: typeof key === 'string' ? key : undefined });
      if (req.url?.startsWith('/v1/products?')) return json(res, 200, { items: [{ id: 'p1' }] });
      if (req.url === '/v1/products/p1') return json(res, 200, { id: 'p1' });
      if (req.url === '/v1/carts') return json(res, 201, { id: 'c1' });
      if (req.url === '/v1/carts/c1/items') return json(res, 200, { id: 'c1' });
      if (req.url === '/v1/checkout') return json(res, 201, { orderId: 'o1' });
      return json(res, 404, {});
    });
    servers.push(target.server);
    // Act
    const summary = await startLoad({
      baseUrl: target.url,
      profile: profile({ maxIterations: 1 }),
      flow: SHOPPER_FLOW,
      runId: 'test',
    }).done;
    // Assess
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /v1/products?limit=10',
      'GET /v1/products/p1',
      'POST /v1/carts',
      'POST /v1/carts/c1/items',
      'POST /v1/checkout',
    ]);
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.key)).toEqual([
      'test-0-cart',
      'test-0-item',
      'test-0-checkout',
    ]);
    expect(summary.failures).toBe(0);
  });

  it('starts each iteration with the defaults given at that moment (drills switch the payment method this way)', async () => {
    const bodies: string[] = [];
    const target = await serve((req, res, body) => {
      if (req.url === '/v1/checkout') bodies.push(body);
      if (req.url?.startsWith('/v1/products?')) return json(res, 200, { items: [{ id: 'p1' }] });
      if (req.url === '/v1/carts') return json(res, 201, { id: 'c1' });
      return json(res, 200, { id: 'c1', orderId: 'o1' });
    });
    servers.push(target.server);
    await startLoad({
      baseUrl: target.url,
      profile: profile({ maxIterations: 1 }),
      flow: SHOPPER_FLOW,
      iterationDefaults: () => ({ paymentMethod: 'pm_card_hang' }),
    }).done;
    expect(bodies.map((b) => JSON.parse(b))).toEqual([{ cartId: 'c1', paymentMethod: 'pm_card_hang' }]);
  });

  it('retries a 503 not_writer after its Retry-After within the bound, and counts it as a failure without the bound', async () => {
    // Prepare: a fenced cell refuses the first two writes of each key, then takes them
    const refusals = new Map<string, number>();
    const target = await serve((req, res) => {
      if (req.method === 'GET') return json(res, 200, { items: [{ id: 'p1' }] });
      const key = String(req.headers['idempotency-key']);
      const seen = refusals.get(key) ?? 0;
      if (req.url === '/v1/carts' && seen < 2) {
        refusals.set(key, seen + 1);
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '0.05' });
        return res.end(JSON.stringify({ status: 503, code: 'not_writer' }));
      }
      return json(res, 201, { id: 'c1', orderId: 'o1' });
    });
    servers.push(target.server);
    const run = (retryNotWriterForMs?: number) =>
      startLoad({
        baseUrl: target.url,
        profile: profile({ maxIterations: 1 }),
        flow: SHOPPER_FLOW,
        runId: `fence-${retryNotWriterForMs ?? 'none'}`,
        ...(retryNotWriterForMs === undefined ? {} : { retryNotWriterForMs }),
      }).done;
    // Act
    const retried = await run(2000);
    const counted = await run();
    // Assess
    expect([retried.failures, retried.notWriterRetries]).toEqual([0, 2]);
    expect(retried.requests).toBe(SHOPPER_FLOW.length); // one sample per step: the retries are not extra requests
    expect(counted.failuresByStep).toEqual({ 'create-cart 503': 1 });
    expect(counted.notWriterRetries).toBe(0);
  });
});
