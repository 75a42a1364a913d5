import type { CdnVendor } from '../../../lib/topology';
import { loadTopology } from '../../../lib/topology';
import { CdnStandIn } from '../../../local/cdn/cdn-stand-in';
import { OriginClient } from '../../../local/cdn/origin-client';
import { CloudflareLoadBalancer, CloudFrontOriginGroup } from '../../../local/cdn/origin-selection';
import { cacheTtls, frontedPaths, type OriginTimeouts } from '../../../local/cdn/vendor-rules';
import { type FakeCell, freePort, startFakeCell } from '../../support/fake-cells';
import { waitUntil } from '../../support/wait';

/**
 * The CDN stand-ins against what the vendors document and what lib/
 * configures, with the default topology's paths and TTLs, two fake cells
 * behind them, and a clock the test moves (cloud seconds = real / scale).
 * Each test names the documented behaviour it holds the stand-in to.
 */

const model = loadTopology('topology.yaml');
const fronted = frontedPaths(model);
const ttls = cacheTtls(model);
/** Short origin timeouts so a hanging cell costs the test a fraction of a second. */
const FAST_TIMEOUTS: OriginTimeouts = { connectionAttempts: 1, connectionTimeoutMs: 500, readTimeoutMs: 300 };

interface Rig {
  readonly standIn: CdnStandIn;
  readonly primary: FakeCell;
  readonly secondary: FakeCell;
  /** Moves the stand-in's clock by `cloudSeconds` (the real milliseconds it stands for). */
  advance(cloudSeconds: number): void;
  get(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: string }>;
  close(): Promise<void>;
}

async function rig(
  vendor: CdnVendor,
  options: { timeScale?: number; timeouts?: OriginTimeouts; monitorIntervalMs?: number } = {},
): Promise<Rig> {
  const timeScale = options.timeScale ?? 1;
  const primary = await startFakeCell('global/us-east-1');
  const secondary = await startFakeCell('global/us-west-2');
  let now = 1_000_000;
  const client = new OriginClient(options.timeouts ?? FAST_TIMEOUTS, 'test');
  const cells = [primary, secondary].map((c) => ({ name: c.name, url: c.url }));
  const origins =
    vendor === 'cloudfront'
      ? new CloudFrontOriginGroup(cells, client)
      : new CloudflareLoadBalancer(cells, client, {
          intervalMs: options.monitorIntervalMs ?? 60_000,
          threshold: 2,
          timeoutMs: 500,
          healthPath: fronted.healthPath,
        });
  const standIn = new CdnStandIn({
    vendor,
    zone: 'global',
    hostname: `${vendor}.global.shop.example.com`,
    zoneApi: { name: 'api.global.shop.example.com', localUrl: 'http://127.0.0.1:1' },
    port: await freePort(),
    fronted,
    ttls,
    clock: { nowMs: () => now, timeScale },
    origins,
    closeOrigins: () => client.close(),
  });
  await standIn.open();
  return {
    standIn,
    primary,
    secondary,
    advance: (cloudSeconds) => {
      now += cloudSeconds * 1000 * timeScale;
    },
    get: async (path, init) => {
      const response = await fetch(`${standIn.url}${path}`, init);
      return { status: response.status, headers: response.headers, body: await response.text() };
    },
    close: async () => {
      await standIn.close();
      await primary.close();
      await secondary.close();
    },
  };
}

const cache = (r: { headers: Headers }) => r.headers.get('x-cache');
/** Requests the cells saw other than health checks (Cloudflare's pool monitors probe the health path). */
const forwarded = (r: Rig) =>
  [r.primary, r.secondary].reduce((n, cell) => n + cell.hits() - cell.hits(fronted.healthPath), 0);
const age = (r: { headers: Headers }) => Number(r.headers.get('age'));

describe.each(['cloudfront', 'cloudflare'] as const)('local/cdn CdnStandIn (%s)', (vendor) => {
  let r: Rig;
  beforeEach(async () => {
    r = await rig(vendor);
  });
  afterEach(async () => {
    await r.close();
  });

  it('caches the public catalog: the second read is a HIT with its Age, and the cell saw one request', async () => {
    // Act
    const first = await r.get('/v1/products?limit=2');
    r.advance(7);
    const second = await r.get('/v1/products?limit=2');
    // Assess
    expect([first.status, cache(first)]).toEqual([200, 'MISS']);
    expect([second.status, cache(second), age(second)]).toEqual([200, 'HIT', 7]);
    expect(second.body).toBe(first.body);
    expect(second.headers.get('x-served-by')).toBe('global/us-east-1');
    expect(second.headers.get('via')).toContain('SIMULATED');
    expect(r.primary.hits('/v1/products')).toBe(1);
  });

  it('keys the cache on the query string: another query is another entry', async () => {
    // Act
    await r.get('/v1/products?limit=2');
    const other = await r.get('/v1/products?limit=3');
    // Assess
    expect(cache(other)).toBe('MISS');
    expect(r.primary.hits('/v1/products')).toBe(2);
  });

  it('never caches the health path: every check reaches a cell (Route 53 checks the CDN through it)', async () => {
    // Prepare: Cloudflare's monitors probed the cells once at start.
    const before = r.primary.hits('/v1/health');
    // Act
    const checks = [await r.get('/v1/health'), await r.get('/v1/health'), await r.get('/v1/health')];
    // Assess
    expect(checks.map((c) => [c.status, cache(c)])).toEqual([
      [200, 'MISS'],
      [200, 'MISS'],
      [200, 'MISS'],
    ]);
    expect(r.primary.hits('/v1/health') - before).toBe(3);
  });

  it.each(['/v1/carts', '/v1/orders/o-1', '/v1/customers/me', '/v1/checkout'])(
    'refuses the personal-data path %s with 403 problem+json and never forwards it',
    async (path) => {
      // Act
      const refused = await r.get(path);
      // Assess
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.parse(refused.body)).toMatchObject({ code: 'personal_data_not_fronted' });
      expect(JSON.parse(refused.body).detail).toContain('api.global.shop.example.com');
      expect(forwarded(r)).toBe(0);
    },
  );

  it('refuses writes and paths it does not front, without reaching a cell', async () => {
    // Act
    const post = await r.get('/v1/products', { method: 'POST', body: '{}' });
    const other = await r.get('/v1/webhooks/endpoints');
    // Assess
    expect([post.status, JSON.parse(post.body).code]).toEqual([403, 'method_not_allowed_by_cdn']);
    expect([other.status, JSON.parse(other.body).code]).toEqual([403, 'path_not_fronted']);
    expect(forwarded(r)).toBe(0);
  });

  it('serves an expired answer STALE with its Age when no cell answers (stale-if-error), and errors once that window is over', async () => {
    // Prepare: cached, then both cells gone, then past fresh + stale-while-revalidate.
    await r.get('/v1/products');
    await r.primary.stop();
    await r.secondary.stop();
    r.advance(60 + 30 + 5);
    // Act
    const stale = await r.get('/v1/products');
    r.advance(86_400);
    const gone = await r.get('/v1/products');
    // Assess
    expect([stale.status, cache(stale), age(stale)]).toEqual([200, 'STALE', 95]);
    expect(gone.status).toBe(vendor === 'cloudfront' ? 502 : 521);
    expect(JSON.parse(gone.body)).toMatchObject({ code: 'origin_unreachable' });
  });

  it('serves stale when the cells answer 5xx too, not only when they refuse connections', async () => {
    // Prepare
    await r.get('/v1/products');
    r.primary.catalogStatus = 503;
    r.secondary.catalogStatus = 503;
    r.advance(120);
    // Act
    const stale = await r.get('/v1/products');
    // Assess
    expect([stale.status, cache(stale)]).toEqual([200, 'STALE']);
  });

  it('serves STALE at once within stale-while-revalidate and refreshes it in the background', async () => {
    // Prepare
    await r.get('/v1/products');
    r.advance(70);
    // Act
    const stale = await r.get('/v1/products');
    await waitUntil(() => r.primary.hits('/v1/products') === 2, 5000);
    const fresh = await r.get('/v1/products');
    // Assess
    expect([cache(stale), age(stale)]).toEqual(['STALE', 70]);
    expect([cache(fresh), age(fresh)]).toEqual(['HIT', 0]);
  });

  it('fetches again once expired past stale-while-revalidate (a MISS, not a stale answer)', async () => {
    // Prepare
    await r.get('/v1/products');
    r.advance(100);
    // Act
    const again = await r.get('/v1/products');
    // Assess
    expect(cache(again)).toBe('MISS');
    expect(r.primary.hits('/v1/products')).toBe(2);
  });

  it('forgets everything purged: the next read is a MISS', async () => {
    // Prepare
    await r.get('/v1/products');
    await r.get('/v1/products/p1');
    // Act
    const purged = r.standIn.purge(['/v1/products/*']);
    const kept = await r.get('/v1/products');
    const refetched = await r.get('/v1/products/p1');
    // Assess
    expect(purged).toBe(1);
    expect(cache(kept)).toBe('HIT');
    expect(cache(refetched)).toBe('MISS');
  });

  it('refuses connections while stopped and answers again after reset, without added latency', async () => {
    // Prepare
    r.standIn.faults.addedLatencyMs = 250;
    await r.standIn.stop();
    // Act
    const refused = await fetch(`${r.standIn.url}/v1/health`).then(
      () => 'answered',
      () => 'connection failed',
    );
    await r.standIn.reset();
    const back = await r.get('/v1/health');
    // Assess
    expect(refused).toBe('connection failed');
    expect(back.status).toBe(200);
    expect(r.standIn.faults.addedLatencyMs).toBe(0);
  });
});

describe('local/cdn CdnStandIn: what differs between the vendors', () => {
  it("CloudFront honours an origin max-age below the cache policy's maximum; Cloudflare's edge TTL overrides it", async () => {
    // Prepare
    const front = await rig('cloudfront');
    const flare = await rig('cloudflare');
    try {
      for (const r of [front, flare]) {
        r.primary.cacheControl = 'public, max-age=10';
        await r.get('/v1/products');
        r.advance(15);
      }
      // Act
      const cloudFront = await front.get('/v1/products');
      const cloudflare = await flare.get('/v1/products');
      // Assess
      expect(cache(cloudFront)).toBe('MISS');
      expect([cache(cloudflare), age(cloudflare)]).toEqual(['HIT', 15]);
    } finally {
      await front.close();
      await flare.close();
    }
  });

  it("CloudFront clamps a longer max-age to the cache policy's maximum TTL (edge.catalogCacheTtlSeconds)", async () => {
    // Prepare
    const r = await rig('cloudfront');
    try {
      r.primary.cacheControl = 'public, max-age=3600';
      await r.get('/v1/products');
      r.advance(ttls.maxSeconds - 1);
      const within = await r.get('/v1/products');
      r.advance(2);
      // Act
      const after = await r.get('/v1/products');
      // Assess
      expect(cache(within)).toBe('HIT');
      expect(cache(after)).toBe('MISS');
    } finally {
      await r.close();
    }
  });

  it.each(['no-store', 'private, max-age=60', 'no-cache'])(
    'CloudFront (minimum TTL 0) does not store an answer marked %s',
    async (header) => {
      // Prepare
      const r = await rig('cloudfront');
      try {
        r.primary.cacheControl = header;
        // Act
        await r.get('/v1/products');
        const again = await r.get('/v1/products');
        // Assess
        expect(cache(again)).toBe('MISS');
        expect(r.primary.hits('/v1/products')).toBe(2);
      } finally {
        await r.close();
      }
    },
  );

  it('CloudFront fails a read over to the secondary cell on a 5xx or a refused connection (origin group)', async () => {
    // Prepare
    const r = await rig('cloudfront');
    try {
      r.primary.healthStatus = 503;
      // Act
      const on503 = await r.get('/v1/health');
      await r.primary.stop();
      const onRefused = await r.get('/v1/health');
      // Assess
      expect([on503.status, on503.body]).toEqual([200, expect.stringContaining('global/us-west-2')]);
      expect([onRefused.status, onRefused.body]).toEqual([200, expect.stringContaining('global/us-west-2')]);
    } finally {
      await r.close();
    }
  });

  it('CloudFront does not fail over on a 4xx: only 500/502/503/504 and connection failures are in the origin group', async () => {
    // Prepare
    const r = await rig('cloudfront');
    try {
      r.primary.catalogStatus = 404;
      // Act
      const notFound = await r.get('/v1/products/nope');
      // Assess
      expect([notFound.status, notFound.headers.get('x-served-by')]).toEqual([404, 'global/us-east-1']);
      expect(r.secondary.hits('/v1/products')).toBe(0);
    } finally {
      await r.close();
    }
  });

  it('Cloudflare passes a 5xx through until its monitor marks the pool down, then sends reads to the next pool', async () => {
    // Prepare: monitors every 300 ms, down after 2 failures.
    const r = await rig('cloudflare', { monitorIntervalMs: 300 });
    try {
      r.primary.healthStatus = 503;
      // Act
      const before = await r.get('/v1/health');
      await waitUntil(
        () => r.standIn.state(true).origins.find((o) => o.cell === 'global/us-east-1')?.healthy === false,
        5000,
      );
      const afterMonitor = await r.get('/v1/health');
      // Assess
      expect(before.status).toBe(503);
      expect([afterMonitor.status, afterMonitor.body]).toEqual([
        200,
        expect.stringContaining('global/us-west-2'),
      ]);
    } finally {
      await r.close();
    }
  });

  it('Cloudflare retries a refused connection on the next pool at once, before its monitor notices (adaptive routing)', async () => {
    // Prepare: the monitors probe once at start and not again within the test.
    const r = await rig('cloudflare');
    try {
      await r.primary.stop();
      // Act
      const refused = await r.get('/v1/products');
      // Assess
      expect([refused.status, refused.headers.get('x-served-by')]).toEqual([200, 'global/us-west-2']);
      expect(r.standIn.state(true).origins.find((o) => o.cell === 'global/us-east-1')?.healthy).toBe(true);
    } finally {
      await r.close();
    }
  });

  it.each([
    ['cloudfront', 504],
    ['cloudflare', 524],
  ] as const)(
    '%s gives up on cells that do not answer within the read timeout: %i',
    async (vendor, status) => {
      // Prepare
      const r = await rig(vendor);
      try {
        r.primary.hang = true;
        r.secondary.hang = true;
        // Act
        const answer = await r.get('/v1/products');
        // Assess
        expect(answer.status).toBe(status);
        expect(JSON.parse(answer.body).detail).toContain('no answer within the read timeout');
      } finally {
        await r.close();
      }
    },
  );

  it('runs the cache clock at the time scale: at 0.1, Age counts cloud seconds and max-age=60 lasts 6 real seconds', async () => {
    // Prepare
    const r = await rig('cloudfront', { timeScale: 0.1 });
    try {
      await r.get('/v1/products');
      r.advance(50); // 5 real seconds
      const within = await r.get('/v1/products');
      r.advance(20); // 7 real seconds in all
      // Act
      const expired = await r.get('/v1/products');
      // Assess
      expect([cache(within), age(within)]).toEqual(['HIT', 50]);
      expect(cache(expired)).toBe('STALE');
    } finally {
      await r.close();
    }
  });
});
