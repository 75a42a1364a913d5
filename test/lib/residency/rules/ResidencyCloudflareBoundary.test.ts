import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PERSONAL_DATA_PATH_PREFIXES } from '../../../../lambdas/core/data-classification';
import { cloudflareTerraformJson } from '../../../../lib/cdn-terraform/synth';
import { ResidencyCloudflareBoundary } from '../../../../lib/residency';
import { buildModel, parseTopology } from '../../../../lib/topology';
import { TEST_MODEL, terraformInventory, violations } from '../support';

/** TEST_MODEL (zones global, eu, sovereign sov) with Cloudflare as second vendor. */
const MODEL = buildModel(
  parseTopology({
    ...TEST_MODEL.config,
    edge: {
      ...TEST_MODEL.config.edge,
      cloudflare: { accountId: '0123456789abcdef0123456789abcdef', zone: { create: true } },
    },
  }),
);

type Json = { resource: Record<string, Record<string, Record<string, unknown>>> };
/** The Terraform JSON lib/cdn-terraform writes for MODEL, fresh for each test to break one thing in. */
const generated = () => cloudflareTerraformJson(MODEL) as Json;
const evaluate = (config: unknown) => ResidencyCloudflareBoundary.evaluate(terraformInventory(config, MODEL));
const messages = (config: unknown) => violations(evaluate(config)).map((f) => f.message);

describe('ResidencyCloudflareBoundary', () => {
  it("passes the toolkit's own Cloudflare configuration: one compliant finding per load-balanced hostname", () => {
    const findings = evaluate(generated());
    expect(violations(findings)).toEqual([]);
    expect(findings.map((f) => f.logicalId).sort()).toEqual([
      'cloudflare_load_balancer.lb_catalog_eu_shop_example_com',
      'cloudflare_load_balancer.lb_catalog_global_shop_example_com',
      'cloudflare_load_balancer.lb_catalog_shop_example_com',
      'cloudflare_load_balancer.lb_cloudflare_eu_shop_example_com',
      'cloudflare_load_balancer.lb_cloudflare_global_shop_example_com',
    ]);
    expect(findings[0]!.message).toMatch(/fronts \/v1\/products, \/v1\/health; no personal-data path/);
  });

  it('fails a hand-written configuration with a personal-data path behind the CDN (fixture)', () => {
    const fixture = JSON.parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'cloudflare-personal-path.tf.json'), 'utf8'),
    );
    const found = violations(evaluate(fixture));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.ruleId === 'ResidencyCloudflareBoundary')).toBe(true);
    expect(found.every((f) => f.logicalId === 'cloudflare_load_balancer.shop')).toBe(true);
    const text = found.map((f) => f.message).join('\n');
    // Every personal-data path reaches a cell (no firewall rule) ...
    for (const path of PERSONAL_DATA_PATH_PREFIXES) {
      expect(text).toContain(`personal-data path ${path} reaches an origin through the CDN`);
    }
    expect(text).toContain('(GET /v1/orders, HEAD /v1/orders, POST /v1/orders,');
    // ... and /v1/carts is cached by the cache rule.
    expect(text).toMatch(/a cache rule caches personal-data path \/v1\/carts \(GET \/v1\/carts, HEAD/);
    expect(found).toHaveLength(PERSONAL_DATA_PATH_PREFIXES.length + 1);
    expect(found[0]!.templatePath).toMatch(/cdk\.tf\.json$/);
  });

  it('fails when the firewall rule that keeps personal-data paths off the CDN is removed', () => {
    const config = generated();
    delete config.resource.cloudflare_ruleset!.firewall;
    const text = messages(config).join('\n');
    expect(text).toContain(
      'Cloudflare hostname catalog.shop.example.com: personal-data path /v1/checkout reaches an origin through the CDN',
    );
    expect(text).toContain('DELETE /v1/customers/sample-id)');
  });

  it('fails a cache rule that would cache a personal-data path', () => {
    const config = generated();
    const cache = config.resource.cloudflare_ruleset!.cache as { rules: unknown[] };
    cache.rules.push({
      action: 'set_cache_settings',
      expression: 'starts_with(http.request.uri.path, "/v1/orders")',
      action_parameters: { cache: true },
    });
    expect(messages(config)).toContain(
      'Cloudflare hostname catalog.eu.shop.example.com: a cache rule caches personal-data path /v1/orders (GET /v1/orders, HEAD /v1/orders, POST /v1/orders, PUT /v1/orders, PATCH /v1/orders, DELETE /v1/orders, GET /v1/orders/, HEAD /v1/orders/, POST /v1/orders/, PUT /v1/orders/, PATCH /v1/orders/, DELETE /v1/orders/, GET /v1/orders/sample-id, HEAD /v1/orders/sample-id, POST /v1/orders/sample-id, PUT /v1/orders/sample-id, PATCH /v1/orders/sample-id, DELETE /v1/orders/sample-id).',
    );
  });

  it('fails closed on a block rule it cannot follow (a regex), and on an unreadable expression', () => {
    const config = generated();
    const firewall = config.resource.cloudflare_ruleset!.firewall as { rules: { expression: string }[] };
    firewall.rules[0]!.expression = 'http.request.uri.path matches "^/v1/(carts|orders)"';
    expect(messages(config).some((m) => m.includes('personal-data path /v1/carts reaches an origin'))).toBe(
      true,
    );

    const broken = generated();
    (broken.resource.cloudflare_ruleset!.cache as { rules: { expression: string }[] }).rules[0]!.expression =
      '(http.host in {"a"';
    expect(messages(broken).some((m) => m.includes('cannot be read'))).toBe(true);
  });

  it('fails a pool that fronts the sovereign zone', () => {
    const config = generated();
    const pool = config.resource.cloudflare_load_balancer_pool!.pool_global_primary as {
      origins: { address: string; header: { host: string[] } }[];
    };
    pool.origins[0]!.address = 'api.eusc-de-east-1.sov.shop.example.com';
    pool.origins[0]!.header.host = ['api.eusc-de-east-1.sov.shop.example.com'];
    expect(messages(config)).toContain(
      'Cloudflare hostname catalog.global.shop.example.com: pool cloudflare_load_balancer_pool.pool_global_primary fronts sovereign zone sov (api.eusc-de-east-1.sov.shop.example.com); Cloudflare is outside the aws-eusc partition.',
    );
  });

  it('fails a residency-eu hostname served without Regional Services in the EU', () => {
    const config = generated();
    delete config.resource.cloudflare_regional_hostname!.regional_catalog_eu_shop_example_com;
    (
      config.resource.cloudflare_regional_hostname!.regional_cloudflare_eu_shop_example_com as {
        region_key: string;
      }
    ).region_key = 'us';
    const found = messages(config);
    expect(found).toContain(
      "Cloudflare hostname catalog.eu.shop.example.com: fronts residency-eu zone eu with no Regional Services region, so TLS and requests may be processed outside the zone's boundary.",
    );
    expect(
      found.some((m) =>
        m.startsWith(
          'Cloudflare hostname cloudflare.eu.shop.example.com: fronts residency-eu zone eu with Regional Services region us',
        ),
      ),
    ).toBe(true);
  });
});
