import type { CdnVendor } from '../../../lib/topology';
import { loadTopology } from '../../../lib/topology';
import {
  answerQuery,
  CatalogSteering,
  type CatalogSteeringOptions,
  pickWeighted,
  possibleAnswers,
  type SteeringPolicy,
  steeringPolicy,
  weightedCandidates,
} from '../../../local/cdn/route53-steering';
import { type FakeCell, freePort, startFakeCell } from '../../support/fake-cells';
import { waitUntil } from '../../support/wait';

/**
 * The SIMULATED Route 53 steering of a zone's catalog name against Route 53's
 * documented rules ("How Amazon Route 53 chooses records when health checking
 * is configured"; failover and weighted routing): unhealthy records are left
 * out, a weight of 0 only serves when nothing else is healthy, a failover pair
 * answers the primary while it is healthy, and a resolver keeps an answer for
 * the record's TTL. Two fake cells stand in for the CDNs (each answers the
 * health path and the catalog, which is all the steering sends them).
 */

const both = (_: CdnVendor) => true;
const only = (vendor: CdnVendor) => (v: CdnVendor) => v === vendor;
const none = (_: CdnVendor) => false;

describe('local/cdn route53-steering: Route 53 decision rules', () => {
  it('weighted: draws only from healthy records with a weight above 0', () => {
    // Act
    const candidates = weightedCandidates([
      { vendor: 'cloudfront', weight: 70, healthy: false },
      { vendor: 'cloudflare', weight: 30, healthy: true },
    ]);
    // Assess
    expect(candidates.map((c) => c.vendor)).toEqual(['cloudflare']);
  });

  it('weighted: a weight-0 record serves only when no weighted record is healthy, then equally', () => {
    // Act
    const standby = weightedCandidates([
      { vendor: 'cloudfront', weight: 100, healthy: false },
      { vendor: 'cloudflare', weight: 0, healthy: true },
    ]);
    const unused = weightedCandidates([
      { vendor: 'cloudfront', weight: 100, healthy: true },
      { vendor: 'cloudflare', weight: 0, healthy: true },
    ]);
    // Assess
    expect(standby).toEqual([{ vendor: 'cloudflare', weight: 1, healthy: true }]);
    expect(unused.map((c) => c.vendor)).toEqual(['cloudfront']);
  });

  it('weighted: when every record is unhealthy, Route 53 answers as if all were healthy', () => {
    // Act
    const candidates = weightedCandidates([
      { vendor: 'cloudfront', weight: 50, healthy: false },
      { vendor: 'cloudflare', weight: 50, healthy: false },
    ]);
    // Assess
    expect(candidates.map((c) => c.vendor)).toEqual(['cloudfront', 'cloudflare']);
  });

  it('weighted: each record is drawn with probability weight / total', () => {
    // Prepare
    const records = [
      { vendor: 'cloudfront' as const, weight: 70, healthy: true },
      { vendor: 'cloudflare' as const, weight: 30, healthy: true },
    ];
    // Act
    const draws = [0, 0.69, 0.7, 0.99].map((point) => pickWeighted(records, () => point));
    // Assess
    expect(draws).toEqual(['cloudfront', 'cloudfront', 'cloudflare', 'cloudflare']);
  });

  it('failover: the primary while healthy, the secondary when only it is healthy, the primary when neither is', () => {
    // Prepare
    const policy: SteeringPolicy = { mode: 'failover', primary: 'cloudfront', secondary: 'cloudflare' };
    // Act
    const answers = [both, only('cloudflare'), none].map((h) => possibleAnswers(policy, h));
    // Assess
    expect(answers).toEqual([['cloudfront'], ['cloudflare'], ['cloudfront']]);
  });

  it("builds the policy from the topology's edge.steering (the default topology: weighted 50/50)", () => {
    // Prepare
    const model = loadTopology('topology.yaml');
    // Act
    const policy = steeringPolicy(model.config.edge.steering, ['cloudfront', 'cloudflare']);
    const single = steeringPolicy(model.config.edge.steering, ['cloudfront']);
    // Assess
    expect(policy).toEqual({ mode: 'weighted', weights: { cloudfront: 50, cloudflare: 50 } });
    expect(single).toEqual({ mode: 'single', vendor: 'cloudfront' });
    expect(answerQuery(single, none, () => 0.5)).toBe('cloudfront');
  });
});

describe('local/cdn CatalogSteering (two fake CDNs behind it)', () => {
  let cdns: Record<CdnVendor, FakeCell & { close(): Promise<void> }>;
  let steering: CatalogSteering | undefined;

  beforeEach(async () => {
    cdns = { cloudfront: await startFakeCell('cloudfront'), cloudflare: await startFakeCell('cloudflare') };
  });
  afterEach(async () => {
    await steering?.close();
    steering = undefined;
    await cdns.cloudfront.close();
    await cdns.cloudflare.close();
  });

  async function steer(
    policy: SteeringPolicy,
    extra: Partial<CatalogSteeringOptions> = {},
  ): Promise<CatalogSteering> {
    steering = new CatalogSteering({
      zone: 'global',
      port: await freePort(),
      policy,
      cdns: (['cloudfront', 'cloudflare'] as const).map((vendor) => ({ vendor, url: cdns[vendor].url })),
      check: { path: '/v1/health', intervalMs: 100, failureThreshold: 2, timeoutMs: 1000 },
      dnsTtlMs: 60_000,
      ...extra,
    });
    await steering.start();
    return steering;
  }

  it('health-checks each CDN through its health path and answers the failover secondary once the primary fails', async () => {
    // Prepare
    const s = await steer(
      { mode: 'failover', primary: 'cloudfront', secondary: 'cloudflare' },
      { resolvers: 1 },
    );
    const before = s.resolve(0);
    // Act: the primary CDN's health path answers 503 (the CDN reached no cell).
    cdns.cloudfront.healthStatus = 503;
    await waitUntil(() => !s.healthy('cloudfront'), 5000);
    const afterTtl = s.resolve(60_000);
    // Assess
    expect(before).toBe('cloudfront');
    expect(cdns.cloudfront.hits('/v1/health')).toBeGreaterThanOrEqual(3);
    expect(s.answering()).toEqual(['cloudflare']);
    expect(afterTtl).toBe('cloudflare');
  });

  it('keeps a resolved answer for the record TTL: an unhealthy CDN is still answered until the cached answer expires', async () => {
    // Prepare
    const s = await steer(
      { mode: 'failover', primary: 'cloudfront', secondary: 'cloudflare' },
      { resolvers: 1 },
    );
    expect(s.resolve(0)).toBe('cloudfront');
    cdns.cloudfront.healthStatus = 503;
    await waitUntil(() => !s.healthy('cloudfront'), 5000);
    // Act
    const withinTtl = s.resolve(59_999);
    const atTtl = s.resolve(60_000);
    // Assess
    expect([withinTtl, atTtl]).toEqual(['cloudfront', 'cloudflare']);
  });

  it('weighted: spreads clients over both CDNs, then only over the healthy one; every answer names its CDN', async () => {
    // Prepare: alternating draws, 4 resolvers, a short TTL so the population re-resolves quickly.
    let draw = 0;
    const s = await steer(
      { mode: 'weighted', weights: { cloudfront: 50, cloudflare: 50 } },
      { resolvers: 4, dnsTtlMs: 200, random: () => (draw++ % 2 === 0 ? 0.25 : 0.75) },
    );
    const read = async () => {
      const response = await fetch(`${s.url}/v1/products`);
      await response.arrayBuffer();
      return { status: response.status, cdn: response.headers.get('x-cdn') };
    };
    const spread = await Promise.all(Array.from({ length: 8 }, read));
    // Act: Cloudflare goes away; its check fails; the resolvers' answers expire.
    await cdns.cloudflare.stop();
    await waitUntil(() => !s.healthy('cloudflare'), 5000);
    let after: Awaited<ReturnType<typeof read>>[] = [];
    await waitUntil(async () => {
      after = await Promise.all(Array.from({ length: 8 }, read));
      return after.every((r) => r.cdn === 'cloudfront');
    }, 5000);
    // Assess
    expect(spread.every((r) => r.status === 200)).toBe(true);
    expect(new Set(spread.map((r) => r.cdn))).toEqual(new Set(['cloudfront', 'cloudflare']));
    expect(after).toEqual(Array.from({ length: 8 }, () => ({ status: 200, cdn: 'cloudfront' })));
  });

  it('answers 502 problem+json naming the CDN when the resolved CDN refuses the connection, and logs it', async () => {
    // Prepare
    const s = await steer({ mode: 'single', vendor: 'cloudflare' });
    await cdns.cloudflare.stop();
    const since = Date.now();
    // Act
    const response = await fetch(`${s.url}/v1/products`);
    const body = await response.json();
    // Assess
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('x-cdn')).toBe('cloudflare');
    expect(body).toMatchObject({ code: 'cdn_unreachable' });
    expect(s.requestsSince(since)).toEqual([
      expect.objectContaining({ vendor: 'cloudflare', reached: false, status: 502 }),
    ]);
  });
});
