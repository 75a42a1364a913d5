import {
  PERSONAL_DATA_PATH_PREFIXES,
  PUBLIC_CATALOG_PATH_PREFIXES,
} from '../../../lambdas/core/data-classification';
import { cloudflareTerraformJson } from '../../../lib/cdn-terraform/synth';
import { parseExpression } from '../../../lib/residency/cloudflare-expressions';
import { buildModel, loadTopology, parseTopology, type TopologyModel } from '../../../lib/topology';

type Block = Record<string, unknown> & { '//'?: unknown };
interface TerraformJson {
  resource: Record<string, Record<string, Block>>;
  terraform: { backend?: { local?: { path: string } }; required_providers: Record<string, unknown> };
  variable: Record<string, { sensitive?: boolean }>;
}

/** The Terraform JSON of the stack, as `npm run cdn:synth` writes it. */
function synth(model: TopologyModel): TerraformJson {
  return cloudflareTerraformJson(model) as TerraformJson;
}

const blocks = (json: TerraformJson, type: string): Block[] => Object.values(json.resource[type] ?? {});
const ref = (type: string, name: string) => `\${${type}.${name}.id}`;

interface Rule {
  action: string;
  expression: string;
  action_parameters?: { cache?: boolean; read_timeout?: number; edge_ttl?: { default?: number } };
}
const rulesOf = (json: TerraformJson, phase: string): Rule[] =>
  blocks(json, 'cloudflare_ruleset')
    .filter((r) => r.phase === phase)
    .flatMap((r) => r.rules as Rule[]);

const personalRequests = (host: string) =>
  PERSONAL_DATA_PATH_PREFIXES.flatMap((prefix) =>
    [prefix, `${prefix}/abc`].flatMap((path) =>
      ['GET', 'POST', 'DELETE'].map((method) => ({ host, path, method })),
    ),
  );

describe('CloudflareEdgeStack (Terraform JSON)', () => {
  const model = loadTopology('topology.yaml');
  const json = synth(model);

  it("makes one pool per cell of the zone, primary first, each health-monitored on the topology's health path", () => {
    const pools = json.resource.cloudflare_load_balancer_pool!;
    expect(Object.keys(pools).sort()).toEqual(['pool_global_primary', 'pool_global_secondary']);
    expect(pools.pool_global_primary).toMatchObject({
      origins: [
        {
          address: 'api.us-east-1.global.shop.example.com',
          header: { host: ['api.us-east-1.global.shop.example.com'] },
        },
      ],
      monitor: ref('cloudflare_load_balancer_monitor', 'monitor_global_primary'),
    });
    expect(pools.pool_global_secondary).toMatchObject({
      origins: [{ address: 'api.us-west-2.global.shop.example.com' }],
      monitor: ref('cloudflare_load_balancer_monitor', 'monitor_global_secondary'),
    });
    expect(json.resource.cloudflare_load_balancer_monitor!.monitor_global_primary).toMatchObject({
      type: 'https',
      path: '/v1/health',
      header: { Host: ['api.us-east-1.global.shop.example.com'] },
      interval: 10,
      consecutive_down: 3,
      expected_codes: '200',
      timeout: model.config.edge.origin.readTimeoutSeconds,
    });
  });

  it('load-balances every public catalog hostname and the vendor hostname, failing over across pools at once', () => {
    const balancers = blocks(json, 'cloudflare_load_balancer');
    expect(balancers.map((b) => b.name).sort()).toEqual([
      'catalog.global.shop.example.com',
      'catalog.shop.example.com',
      'cloudflare.global.shop.example.com',
    ]);
    for (const balancer of balancers) {
      expect(balancer).toMatchObject({
        proxied: true,
        steering_policy: 'off',
        default_pools: [
          ref('cloudflare_load_balancer_pool', 'pool_global_primary'),
          ref('cloudflare_load_balancer_pool', 'pool_global_secondary'),
        ],
        fallback_pool: ref('cloudflare_load_balancer_pool', 'pool_global_secondary'),
        adaptive_routing: { failover_across_pools: true },
      });
    }
  });

  it('never fronts the sovereign zone', () => {
    const text = JSON.stringify(json);
    expect(text).not.toMatch(/eusc|\.eu\.shop\.example\.com/);
    expect(blocks(json, 'cloudflare_load_balancer_pool')).toHaveLength(2);
  });

  it('caches the public catalog path only, with the topology TTL, serve-stale and a short read timeout', () => {
    const cacheRules = rulesOf(json, 'http_request_cache_settings');
    const caching = cacheRules.filter((r) => r.action_parameters?.cache === true);
    expect(caching).toHaveLength(1);
    expect(caching[0]).toMatchObject({
      expression: expect.stringContaining(
        `starts_with(http.request.uri.path, "${PUBLIC_CATALOG_PATH_PREFIXES[0]}")`,
      ),
      action_parameters: {
        edge_ttl: { mode: 'override_origin', default: model.config.edge.catalogCacheTtlSeconds },
        origin_cache_control: true,
        serve_stale: { disable_stale_while_updating: false },
        read_timeout: model.config.edge.origin.readTimeoutSeconds,
      },
    });
    const cachesCatalog = parseExpression(caching[0]!.expression);
    expect(cachesCatalog({ host: 'catalog.shop.example.com', path: '/v1/products/p1', method: 'GET' })).toBe(
      true,
    );
    for (const request of personalRequests('catalog.shop.example.com')) {
      for (const rule of caching) expect(parseExpression(rule.expression)(request)).toBe(false);
    }
    const health = cacheRules.find((r) => r.expression.includes('"/v1/health"'));
    expect(health?.action_parameters?.cache).toBe(false);
  });

  it('blocks every personal-data request on its hostnames and lets the catalog (GET) and health path through', () => {
    const [block] = rulesOf(json, 'http_request_firewall_custom');
    expect(block?.action).toBe('block');
    const blocks_ = parseExpression(block!.expression);
    for (const host of ['catalog.global.shop.example.com', 'cloudflare.global.shop.example.com']) {
      for (const request of personalRequests(host)) expect(blocks_(request)).toBe(true);
      expect(blocks_({ host, path: '/v1/products', method: 'GET' })).toBe(false);
      expect(blocks_({ host, path: '/v1/products/p1', method: 'HEAD' })).toBe(false);
      expect(blocks_({ host, path: '/v1/health', method: 'GET' })).toBe(false);
      expect(blocks_({ host, path: '/v1/products', method: 'POST' })).toBe(true);
    }
  });

  it('logs the zone to an R2 bucket through its S3-compatible endpoint, credentials as sensitive variables', () => {
    expect(json.resource.cloudflare_r2_bucket!.logs_global).toMatchObject({
      name: 'commerce-cdn-logs-global',
      jurisdiction: 'default',
    });
    const job = json.resource.cloudflare_logpush_job!.logpush_global!;
    expect(job).toMatchObject({ dataset: 'http_requests', enabled: true });
    expect(job.destination_conf).toMatch(
      /^s3:\/\/commerce-cdn-logs-global\/.*endpoint=0123456789abcdef0123456789abcdef\.r2\.cloudflarestorage\.com&access-key-id=\$\{var\.r2_logs_access_key_id\}/,
    );
    expect(JSON.parse(String(job.filter))).toEqual({
      where: {
        key: 'ClientRequestHost',
        operator: 'in',
        value: [
          'catalog.global.shop.example.com',
          'catalog.shop.example.com',
          'cloudflare.global.shop.example.com',
        ],
      },
    });
    expect(json.variable.r2_logs_secret_access_key?.sensitive).toBe(true);
  });

  it('creates a partial zone (Route 53 stays authoritative), strict TLS to the cells, and pins the provider', () => {
    expect(json.resource.cloudflare_zone!.zone).toMatchObject({ name: 'shop.example.com', type: 'partial' });
    const settings = Object.fromEntries(
      blocks(json, 'cloudflare_zone_setting').map((s) => [s.setting_id, s.value]),
    );
    expect(settings).toMatchObject({ ssl: 'strict', min_tls_version: '1.2', always_online: 'off' });
    expect(json.terraform.required_providers.cloudflare).toEqual({
      source: 'cloudflare/cloudflare',
      version: '5.14.0',
    });
    // Same JSON on every machine: no absolute path of the machine that synthesized it.
    expect(json.terraform.backend?.local?.path).toBe('terraform.cdn.tfstate');
  });

  it('keeps a residency-eu zone on EU data centres (Regional Services), EU probes and an EU log jurisdiction', () => {
    const eu = synth(loadTopology('topologies/eu-regional.yaml'));
    const regional = blocks(eu, 'cloudflare_regional_hostname');
    expect(regional.map((r) => [r.hostname, r.region_key]).sort()).toEqual([
      ['catalog.eu.shop.example.com', 'eu'],
      ['cloudflare.eu.shop.example.com', 'eu'],
    ]);
    expect(eu.resource.cloudflare_load_balancer_pool!.pool_eu_primary).toMatchObject({
      check_regions: ['WEU', 'EEU'],
      origins: [{ address: 'api.eu-central-1.eu.shop.example.com' }],
    });
    expect(eu.resource.cloudflare_load_balancer_pool!.pool_global_primary!.check_regions).toBeUndefined();
    expect(eu.resource.cloudflare_r2_bucket!.logs_eu).toMatchObject({ jurisdiction: 'eu' });
    const job = eu.resource.cloudflare_logpush_job!.logpush_eu!;
    expect(job.destination_conf).toContain(
      'endpoint=0123456789abcdef0123456789abcdef.eu.r2.cloudflarestorage.com',
    );
    expect(JSON.parse(String(job.filter)).where.value).toEqual([
      'catalog.eu.shop.example.com',
      'cloudflare.eu.shop.example.com',
    ]);
  });

  it('uses an existing Cloudflare zone by id instead of creating one', () => {
    const existing = buildModel(
      parseTopology({
        ...model.config,
        edge: {
          ...model.config.edge,
          cloudflare: {
            accountId: '0123456789abcdef0123456789abcdef',
            zone: { id: 'fedcba9876543210fedcba9876543210' },
          },
        },
      }),
    );
    const out = synth(existing);
    expect(out.resource.cloudflare_zone).toBeUndefined();
    for (const balancer of blocks(out, 'cloudflare_load_balancer')) {
      expect(balancer.zone_id).toBe('fedcba9876543210fedcba9876543210');
    }
  });

  it('refuses a topology without edge.cloudflare and a personal-data path to serve', () => {
    const { cloudflare: _, ...edge } = model.config.edge;
    const without = buildModel(parseTopology({ ...model.config, edge }));
    expect(() => cloudflareTerraformJson(without)).toThrow(/edge\.cloudflare is not set/);
    expect(() =>
      cloudflareTerraformJson(model, { publicPathPrefixes: ['/v1/products', '/v1/carts'] }),
    ).toThrow(/"\/v1\/carts" carries personal data/);
  });
});
