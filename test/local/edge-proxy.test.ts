import { createHash } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { LocalTopology } from '../../local/topology';
import { bootTestTopology } from '../support/local-topology';

/**
 * The edge router as clients see it (booted topology, requests over real
 * sockets): ordinary clients never get a 5xx while the cells are up.
 */

const REQUEST_TIMEOUT_MS = 3_000;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Bytes of the request body written when the answer arrived. */
  writtenWhenAnswered: number;
  continued: boolean;
}

/** A request with a body produced chunk by chunk (never held in memory whole); stops writing once answered. */
function upload(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    bodyBytes: number;
    agent?: Agent;
    expectContinue?: boolean;
  },
): Promise<Answer> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    let written = 0;
    let answered = false;
    let continued = false;
    const req = httpRequest({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: options.method ?? 'POST',
      agent: options.agent ?? false,
      headers: {
        'content-type': 'application/json',
        'content-length': String(options.bodyBytes),
        ...(options.expectContinue ? { expect: '100-continue' } : {}),
        ...options.headers,
      },
    });
    const pump = () => {
      while (!answered && written < options.bodyBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.bodyBytes - written));
        written += piece.length;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    req.on('continue', () => {
      continued = true;
      pump();
    });
    req.on('response', (res) => {
      answered = true;
      const writtenWhenAnswered = written;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, writtenWhenAnswered, continued }),
      );
      if (!req.writableEnded) req.end();
    });
    // Writing after the edge closed a refused upload may fail; the answer is what counts.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    if (!options.expectContinue) pump();
  });
}

/** Raw bytes on one connection; resolves with everything the server sent until it closed (or the bound). */
function raw(
  port: number,
  bytes: string,
  closeWithinMs = 15_000,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, closeWithinMs);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

describe('local edge router (booted topology, real sockets)', () => {
  let topology: LocalTopology;
  let edge: string;
  let edgePort: number;
  let zonePort: number;
  let cell: { url: string; port: number };

  beforeAll(async () => {
    topology = await bootTestTopology({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
    edge = topology.endpoints.edge;
    edgePort = Number(new URL(edge).port);
    zonePort = Number(new URL(topology.endpoints.zones!.global!).port);
    cell = topology.endpoints.cells.find((c) => c.zone === 'global' && c.role === 'primary')!;
  }, 120_000);

  afterAll(async () => {
    await topology?.stop();
  });

  const control = async (path: string, body: unknown = {}) => {
    const response = await fetch(`${topology.endpoints.control}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return response.json() as Promise<{ token?: string }>;
  };

  it('keeps serving on the same connection pool after oversized requests (10 x 600 KB, then health)', async () => {
    // Act
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      const big = await fetch(`${edge}/v1/carts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: 'a'.repeat(600_000),
      });
      await big.arrayBuffer();
      const health = await fetch(`${edge}/v1/health`);
      await health.arrayBuffer();
      outcomes.push(`${big.status}/${health.status}`);
    }
    // Assess
    expect(outcomes).toEqual(Array(10).fill('413/200'));
  });

  it("the cell's own 413 says Connection: close when it did not read the body (no keep-alive lie)", async () => {
    // Act: a 600 KB body straight to the cell, then a second request on the same connection.
    const body = 'a'.repeat(600_000);
    const { text, closed } = await raw(
      cell.port,
      `POST /v1/carts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    // Assess
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(text.toLowerCase()).not.toContain('connection: keep-alive');
    expect(closed).toBe(true);
  });

  // (TRACK never reaches the edge's code: Node's parser answers it 400 itself.)
  it.each(['TRACE', 'PROPFIND', 'PURGE'])(
    'answers %s with 405 problem+json and Allow, never a 5xx',
    async (method) => {
      // Act
      const answer = await upload(`${edge}/v1/health`, { method, bodyBytes: 0 });
      // Assess
      expect(answer.status).toBe(405);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.headers.allow).toBe('GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    },
  );

  it('answers CONNECT with 405 instead of cutting the connection', async () => {
    const { text } = await raw(edgePort, 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 405 /);
    expect(text).toContain('"code":"method_not_allowed"');
  });

  it('refuses an oversized Expect: 100-continue upload with 413 before the body is sent (curl over 1 MB)', async () => {
    // Act
    const answer = await upload(`${edge}/v1/carts`, { bodyBytes: 2_000_000, expectContinue: true });
    // Assess
    expect(answer.status).toBe(413);
    expect(answer.continued).toBe(false);
    expect(answer.writtenWhenAnswered).toBe(0);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'payload_too_large' });
    expect(answer.body).toContain('65536');
  });

  it('says 100 Continue to a small Expect: 100-continue upload and forwards it to the cell', async () => {
    const answer = await upload(`${edge}/v1/carts`, { bodyBytes: 2, expectContinue: true });
    expect(answer.continued).toBe(true);
    expect(answer.status).toBe(401);
    expect(answer.headers['x-correlation-id']).toEqual(expect.any(String));
  });

  it('refuses a 64 MB upload early, without the edge buffering it (memory bound, not time)', async () => {
    // Prepare
    global.gc?.();
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 5);
    // Act
    const answer = await upload(`${edge}/v1/carts`, { bodyBytes: 64 * 1024 * 1024 });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage.rss());
    // Assess: answered before most of the body was sent, and memory did not grow by anything like 64 MB.
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(answer.writtenWhenAnswered).toBeLessThan(16 * 1024 * 1024);
    expect(peak - before).toBeLessThan(24 * 1024 * 1024);
    // And the edge still serves.
    expect((await fetch(`${edge}/v1/health`)).status).toBe(200);
  });

  it('names no internal error in a problem detail (cell stopped, DNS answer still cached)', async () => {
    // Prepare
    await control('/cells/global/us-east-1/stop');
    try {
      // Act: the zone endpoint's cached answer still points at the stopped primary.
      const response = await fetch(`http://127.0.0.1:${zonePort}/v1/health`);
      const body = (await response.json()) as { code: string; detail: string };
      // Assess
      if (response.status >= 500) {
        expect(body.code).toBe('cell_unreachable');
        expect(body.detail).not.toMatch(/UND_ERR|TypeError|ECONN|Error\b|socket/i);
      } else expect(response.status).toBe(200); // the cache had already expired: served by the secondary
    } finally {
      await control('/reset');
    }
  });

  it('closes slow-body connections on every listener with 408 (request timeout, not 300 s)', async () => {
    // Prepare: every listener of the topology.
    const ports = {
      edge: edgePort,
      zone: zonePort,
      cell: cell.port,
      sink: Number(new URL(topology.endpoints.webhookSink).port),
    };
    // A request the cell starts reading (authorized, with a key), so the body timeout is what ends it.
    const { token } = await control('/tokens', { subject: 'slow-client', homeZone: 'global' });
    // Act: headers promise 100 bytes, 10 arrive, then nothing.
    const results = await Promise.all(
      Object.entries(ports).map(async ([name, port]) => {
        const { text, closed } = await raw(
          port,
          `POST /v1/carts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nIdempotency-Key: slow-${name}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"slow":1,`,
        );
        return `${name}: ${closed ? 'closed' : 'open'} ${text.split('\r\n')[0]}`;
      }),
    );
    // Assess
    expect(results).toEqual([
      'edge: closed HTTP/1.1 408 Request Timeout',
      'zone: closed HTTP/1.1 408 Request Timeout',
      'cell: closed HTTP/1.1 408 Request Timeout',
      'sink: closed HTTP/1.1 408 Request Timeout',
    ]);
  }, 30_000);

  it('keeps the primary health check passing through a flood of 1 MB bodies; every flood request gets 413', async () => {
    // Prepare
    const checker = () =>
      (
        topology.state() as unknown as {
          details: { healthChecks: Record<string, { consecutiveFailures: number }> };
        }
      ).details.healthChecks['global/us-east-1']!;
    let worst = 0;
    const watch = setInterval(() => {
      worst = Math.max(worst, checker().consecutiveFailures);
    }, 20);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const statuses = new Map<number, number>();
    let sent = 0;
    // Act: 240 uploads of 1 MB, 8 at a time, on one keep-alive pool.
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (sent < 240) {
          sent++;
          const { status } = await upload(`${edge}/v1/carts`, { bodyBytes: 1_000_000, agent });
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    clearInterval(watch);
    agent.destroy();
    // Assess
    expect(Object.fromEntries(statuses)).toEqual({ 413: 240 });
    expect(worst).toBe(0);
    expect(topology.state().serving.global).toBe('us-east-1');
  }, 120_000);

  it('sends security headers through the edge: nosniff everywhere, no-store on personal data, no HSTS over http', async () => {
    // Act
    const catalog = await fetch(`${edge}/v1/products`, { headers: { 'x-client-country': 'US' } });
    const cart = await fetch(`${edge}/v1/carts/nope`, { headers: { 'x-client-country': 'US' } });
    const status = await fetch(topology.endpoints.status);
    // Assess
    expect(catalog.status).toBe(200);
    expect(catalog.headers.get('x-content-type-options')).toBe('nosniff');
    expect(catalog.headers.get('cache-control')).not.toBe('no-store');
    expect(catalog.headers.get('strict-transport-security')).toBeNull();
    expect(cart.status).toBe(401);
    expect(cart.headers.get('cache-control')).toBe('no-store');
    expect(cart.headers.get('x-content-type-options')).toBe('nosniff');
    // The page's own inline script and style are allowed by hash, and nothing else is.
    const html = await status.text();
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const script = html.split('<script>')[1]!.split('</script>')[0]!;
    const style = html.split('<style>')[1]!.split('</style>')[0]!;
    expect(status.headers.get('content-security-policy')).toBe(
      `default-src 'none'; script-src ${hash(script)}; style-src ${hash(style)}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    expect(status.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses a browser-driven control request through the edge (text/plain, foreign Origin, foreign Host)', async () => {
    // Act
    const crossSite = await fetch(`${topology.endpoints.control}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: '{"subject":"mallory"}',
    });
    const rebinding = await raw(
      edgePort,
      'GET /control/state HTTP/1.1\r\nHost: evil.example:4400\r\nConnection: close\r\n\r\n',
    );
    // Assess
    expect(crossSite.status).toBe(403);
    expect(await crossSite.text()).not.toContain('token"');
    expect(rebinding.text).toMatch(/^HTTP\/1\.1 403 /);
  });

  it("lets a webhook target only the topology's sink port on loopback (not /control, not DynamoDB Local)", async () => {
    // Prepare
    const { token } = await control('/tokens', { subject: 'webhook-admin', scopes: ['admin:webhooks'] });
    const register = async (url: string, key: string) => {
      const response = await fetch(`${edge}/v1/webhooks/endpoints`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
          'x-client-country': 'US',
        },
        body: JSON.stringify({ url, eventTypes: ['order.*'] }),
      });
      return { status: response.status, body: await response.text() };
    };
    // Act
    const sink = await register(`${topology.endpoints.webhookSink}/ssrf-ok`, 'ssrf-sink');
    const controlApi = await register(
      `${topology.endpoints.control}/replication/global/pause`,
      'ssrf-control',
    );
    const dynamo = await register(`${topology.endpoints.dynamodb}/`, 'ssrf-dynamo');
    const cellApi = await register(`${cell.url}/v1/health`, 'ssrf-cell');
    const compatible = await register('http://[::127.0.0.1]:1/', 'ssrf-compatible');
    // Assess
    expect(sink.status).toBe(201);
    for (const refused of [controlApi, dynamo, cellApi, compatible]) {
      expect(refused.status).toBe(400);
      expect(refused.body).toMatch(/not a webhook target of the local topology|reserved address/);
    }
    expect(topology.state().replication.global?.paused).toBe(false);
  });
});
