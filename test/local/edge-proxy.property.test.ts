import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { REPO_ROOT } from '../../lib/topology';
import type { LocalTopology } from '../../local/topology';
import { bootTestTopology } from '../support/local-topology';

/**
 * Fuzz THROUGH THE EDGE (the local stand-in for Route 53 and the network), as
 * ordinary and careless clients would talk to it: fast-check generates
 * methods, paths, headers (Expect, Transfer-Encoding, lying Content-Length,
 * Connection) and bodies (oversized included), sent over one keep-alive
 * connection pool. No answer may be a 5xx and no request may end in a
 * client-side socket error; afterwards the same pool must still work.
 */

const REQUESTS = 2_000;
const CONCURRENCY = 6;
const SEED = Number(process.env.EDGE_FUZZ_SEED ?? 20261201);

interface FuzzRequest {
  readonly port: 'edge' | 'zone';
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | undefined;
  readonly chunked: boolean;
  readonly expectContinue: boolean;
  /** A Content-Length far larger than the body actually sent. */
  readonly lyingLength: boolean;
}

interface Outcome {
  readonly status?: number;
  readonly error?: string;
}

/** One request on the pooled agent; resolves with the status or the client-side error, never rejects. */
function send(agent: Agent, port: number, r: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.body && !r.chunked)
      headers['content-length'] = String(r.lyingLength ? 10_000_000_000 : r.body.length);
    if (r.chunked) headers['transfer-encoding'] = 'chunked';
    if (r.expectContinue) headers.expect = '100-continue';
    let settled = false;
    const done = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const req = httpRequest({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent });
    req.setTimeout(20_000, () => req.destroy(new Error('no answer within 20 s')));
    let bodySent = false;
    const sendBody = () => {
      if (bodySent) return;
      bodySent = true;
      if (r.body && r.chunked) {
        const third = Math.ceil(r.body.length / 3);
        for (let i = 0; i < r.body.length; i += third) req.write(r.body.subarray(i, i + third));
      } else if (r.body) req.write(r.body);
      req.end();
    };
    req.on('response', (res) => {
      // A final answer instead of 100 Continue: the client does not send the body.
      if (r.expectContinue && !bodySent) {
        bodySent = true;
        req.end();
      }
      res.on('error', (error: NodeJS.ErrnoException) =>
        done({ error: `response: ${error.code ?? error.message}` }),
      );
      res.on('end', () => done({ status: res.statusCode ?? 0 }));
      res.resume();
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    if (r.expectContinue) req.on('continue', sendBody);
    else sendBody();
  });
}

describe('property: through the edge, no request gets a 5xx or a socket error', () => {
  let topology: LocalTopology;
  let customerToken: string;
  let adminToken: string;
  let cartId: string;

  const controlPost = async (path: string, body: unknown) => {
    const response = await fetch(`${topology.endpoints.control}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`control ${path}: ${response.status}`);
    return response.json() as Promise<{ token: string }>;
  };

  beforeAll(async () => {
    topology = await bootTestTopology();
    customerToken = (await controlPost('/tokens', { subject: 'fuzz-customer', homeZone: 'global' })).token;
    adminToken = (
      await controlPost('/tokens', {
        subject: 'fuzz-admin',
        scopes: ['admin:audit', 'admin:webhooks', 'events:read'],
      })
    ).token;
    const created = await fetch(`${topology.endpoints.edge}/v1/carts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${customerToken}`,
        'content-type': 'application/json',
        'idempotency-key': 'fuzz-cart',
        'x-client-country': 'US',
      },
      body: '{}',
    });
    if (created.status !== 201) throw new Error(`cart: ${created.status} ${await created.text()}`);
    cartId = ((await created.json()) as { id: string }).id;
  }, 120_000);

  afterAll(async () => {
    await topology?.stop();
  });

  function requests(): FuzzRequest[] {
    const openapi = JSON.parse(readFileSync(join(REPO_ROOT, 'contracts/openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    // Every described route except the drill flag: setting it fails the cell's health check on purpose.
    const routes = Object.entries(openapi.paths)
      .filter(([path]) => path !== '/v1/admin/drill')
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => ({ path, method: method.toUpperCase() })),
      );
    const visibleAscii = fc.string({
      unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    });
    const segment = fc.oneof(
      visibleAscii.map((s) => encodeURIComponent(s)),
      fc.constantFrom('sku-0001', cartId, '..', '%00', '%ZZ', '%2e%2e', 'a'.repeat(300), ''),
    );
    const path = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .record({ route: fc.constantFrom(...routes), id: segment, useCart: fc.boolean() })
          .map(({ route, id, useCart }) => ({
            path: route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
              name === 'cartId' && useCart ? cartId : name === 'productId' ? 'sku-0002' : id,
            ),
            method: route.method,
          })),
      },
      {
        weight: 2,
        arbitrary: fc
          .array(segment, { maxLength: 4 })
          .map((parts) => ({ path: `/${parts.join('/')}`, method: 'GET' })),
      },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(
            '/',
            '//v1//health',
            '/v1/health/',
            '/v1/products?limit=abc',
            '/status',
            '/control/state',
          )
          .map((p) => ({ path: p, method: 'GET' })),
      },
    );
    const query = fc.oneof(
      fc.constant(''),
      fc.constantFrom('?limit=0', '?limit=5', '?cursor=zzz', '?a=1&a=2'),
      visibleAscii.map((s) => `?${encodeURIComponent(s)}=${encodeURIComponent(s)}`),
    );
    const method = (routeMethod: string) =>
      fc.oneof(
        { weight: 8, arbitrary: fc.constant(routeMethod) },
        {
          weight: 4,
          arbitrary: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
        },
        { weight: 2, arbitrary: fc.constantFrom('TRACE', 'TRACK', 'PROPFIND', 'PURGE', 'MKCOL', 'SEARCH') },
      );
    const json = (value: unknown) => Buffer.from(JSON.stringify(value));
    const body = fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          json({}),
          json({ currency: 'EUR' }),
          json({ productId: 'sku-0002', quantity: 1 }),
        ),
      },
      { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
      { weight: 2, arbitrary: visibleAscii.map((s) => Buffer.from(s)) },
      { weight: 1, arbitrary: fc.constant(Buffer.from('{"unterminated": ')) },
      { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
      // Oversized: just over the API's 64 KiB, a 500 KB and a 1 MB upload, and past the edge's drain limit.
      {
        weight: 3,
        arbitrary: fc.constantFrom(70_000, 500_000, 1_100_000, 3_000_000).map((n) => Buffer.alloc(n, 0x61)),
      },
    );
    const headers = fc.record(
      {
        'x-client-country': fc.constantFrom('DE', 'US', 'FR', 'de', 'ZZ', '', 'USA'),
        authorization: fc.constantFrom(
          `Bearer ${customerToken}`,
          `Bearer ${adminToken}`,
          'Bearer x.y.z',
          'Basic Zm9vOmJhcg==',
          'Bearer',
        ),
        'content-type': fc.constantFrom(
          'application/json',
          'text/plain',
          'application/json; charset=utf-8',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
        ),
        'idempotency-key': fc.oneof(visibleAscii, fc.constant('k'.repeat(300))),
        'x-correlation-id': visibleAscii,
        traceparent: visibleAscii,
        connection: fc.constantFrom('close', 'keep-alive', 'upgrade'),
        upgrade: fc.constantFrom('websocket', 'h2c'),
        'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0, *;q=0'),
        te: fc.constantFrom('trailers', 'gzip'),
        'x-forwarded-for': fc.constantFrom('10.0.0.1', 'evil'),
        'x-fuzz': visibleAscii,
      },
      { requiredKeys: [] },
    );
    const arbitrary = path.chain((target) =>
      fc.record({
        port: fc.constantFrom<'edge' | 'zone'>('edge', 'edge', 'edge', 'zone'),
        method: method(target.method),
        path: query.map((q) => `${target.path}${q}`),
        headers,
        body,
        chunked: fc.boolean(),
        expectContinue: fc.boolean(),
        lyingLength: fc.integer({ min: 0, max: 30 }).map((n) => n === 0),
      }),
    );
    return fc.sample(arbitrary, { numRuns: REQUESTS, seed: SEED }).map((r) => ({
      ...r,
      chunked: r.chunked && r.body !== undefined && r.body.length > 0 && !r.lyingLength,
    }));
  }

  it(`answers ${REQUESTS} generated requests without a 5xx or a socket error, then serves on the same pool`, async () => {
    // Prepare
    const all = requests();
    const zonePort = Number(new URL(topology.endpoints.zones!.global!).port);
    const edgePort = Number(new URL(topology.endpoints.edge).port);
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const outcomes: { request: FuzzRequest; outcome: Outcome }[] = [];
    let next = 0;
    // Act
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < all.length) {
          const request = all[next++]!;
          const outcome = await send(agent, request.port === 'edge' ? edgePort : zonePort, request);
          outcomes.push({ request, outcome });
        }
      }),
    );
    const final = await send(agent, edgePort, {
      port: 'edge',
      method: 'GET',
      path: '/v1/health',
      headers: {},
      body: undefined,
      chunked: false,
      expectContinue: false,
      lyingLength: false,
    });
    agent.destroy();
    // Assess
    const statuses = new Map<string, number>();
    for (const { outcome } of outcomes) {
      const key = outcome.error ? `error ${outcome.error}` : String(outcome.status);
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
    }
    const bad = outcomes.filter(({ outcome }) => outcome.error !== undefined || (outcome.status ?? 0) >= 500);
    const describe = ({ request, outcome }: (typeof outcomes)[number]) =>
      `${outcome.error ?? outcome.status}: ${request.method} ${request.path.slice(0, 80)} via ${request.port} body=${request.body?.length ?? '-'}${request.chunked ? ' chunked' : ''}${request.expectContinue ? ' expect' : ''}${request.lyingLength ? ' lying-length' : ''} headers=${Object.keys(request.headers).join(',')}`;
    console.log(
      `edge fuzz: ${outcomes.length} requests, ${bad.length} bad; by outcome ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    expect(outcomes).toHaveLength(REQUESTS);
    expect(bad.slice(0, 10).map(describe)).toEqual([]);
    expect(bad).toHaveLength(0);
    expect(final).toEqual({ status: 200 });
    // The generator reaches the cells: some requests succeed, many kinds of 4xx occur.
    expect([...statuses.keys()].some((k) => k.startsWith('2'))).toBe(true);
    expect([...statuses.keys()].filter((k) => k.startsWith('4')).length).toBeGreaterThanOrEqual(5);
  }, 600_000);
});
