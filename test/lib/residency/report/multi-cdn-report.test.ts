import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { cloudflareTerraformJson } from '../../../../lib/cdn-terraform/synth';
import type { Inventory } from '../../../../lib/residency';
import { buildResidencyReport, renderHtml, renderMarkdown } from '../../../../lib/residency/report';
import { buildModel, parseTopology } from '../../../../lib/topology';
import { synthInventory, TEST_MODEL, terraformInventory } from '../support';
import { defineCommerceApp } from './violating-app';

const MODEL = buildModel(
  parseTopology({
    ...TEST_MODEL.config,
    edge: {
      ...TEST_MODEL.config.edge,
      cloudflare: { accountId: '0123456789abcdef0123456789abcdef', zone: { create: true } },
    },
  }),
);

/** The CloudFormation of the commerce test app beside a Terraform JSON document: both vendors in one inventory. */
function bothVendors(terraform: unknown): Inventory {
  const cloudFormation = synthInventory((app: App) => defineCommerceApp(app, {}), MODEL);
  return { ...cloudFormation, terraformResources: terraformInventory(terraform, MODEL).terraformResources };
}

describe('residency report with two CDN vendors', () => {
  it('lists CloudFront and Cloudflare side by side: paths fronted, paths cached, where logs go', () => {
    const report = buildResidencyReport(bothVendors(cloudflareTerraformJson(MODEL)));

    expect(report.compliant).toBe(true);
    expect([...new Set(report.cdns.map((c) => c.vendor))]).toEqual(['cloudfront', 'cloudflare']);
    const eu = report.cdns.find((c) => c.name === 'catalog.eu.shop.example.com')!;
    expect(eu).toMatchObject({
      vendor: 'cloudflare',
      zones: ['eu'],
      regionKey: 'eu',
      cached: ['/v1/products'],
      logs: ['R2 bucket shop-cdn-logs-eu (jurisdiction eu)'],
      compliant: true,
    });
    expect(eu.fronts).toEqual([
      'GET /v1/products -> zone eu api.eu-central-1.eu.shop.example.com | zone eu api.eu-west-1.eu.shop.example.com',
      'GET /v1/health -> zone eu api.eu-central-1.eu.shop.example.com | zone eu api.eu-west-1.eu.shop.example.com',
    ]);
    expect(eu.findings.map((f) => f.ruleId).sort()).toEqual([
      'ResidencyCloudflareBoundary',
      'ResidencyCloudflareLogs',
    ]);
    const cloudFront = report.cdns.find((c) => c.vendor === 'cloudfront')!;
    expect(cloudFront).toMatchObject({
      name: 'Edge/Cdn/Resource',
      zones: ['eu'],
      fronts: ['* -> assets.example.net', '/v1/products* -> zone eu api.eu.shop.example.com'],
      logs: ['not logged'],
    });
    // The inventory and the rule table cover the Terraform resources too.
    expect(report.entries.map((e) => e.type)).toEqual(
      expect.arrayContaining(['cloudflare_load_balancer', 'cloudflare_logpush_job', 'cloudflare_r2_bucket']),
    );
    expect(report.rules.find((r) => r.id === 'ResidencyCloudflareBoundary')).toMatchObject({
      checked: 5,
      violations: 0,
    });

    const markdown = renderMarkdown(report);
    expect(markdown).toContain('## CDNs');
    expect(markdown).toMatch(
      /\| cloudflare \(Regional Services eu\) \| `catalog\.eu\.shop\.example\.com` \| eu \|/,
    );
    expect(markdown).toMatch(/\| cloudfront \| `Edge\/Cdn\/Resource` \|/);
    const html = renderHtml(report);
    expect(html).toContain('<h2>CDNs</h2>');
    expect(html).toContain('R2 bucket shop-cdn-logs-eu (jurisdiction eu)');
  });

  it('reports a personal-data path behind Cloudflare as a violation, in every format', () => {
    const fixture = JSON.parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'cloudflare-personal-path.tf.json'), 'utf8'),
    );
    const report = buildResidencyReport(bothVendors(fixture));

    expect(report.compliant).toBe(false);
    expect(report.violations.map((v) => v.ruleId)).toEqual(
      expect.arrayContaining(['ResidencyCloudflareBoundary']),
    );
    const shop = report.cdns.find((c) => c.name === 'shop.shop.example.com')!;
    expect(shop.compliant).toBe(false);
    expect(shop.fronts).toContainEqual(expect.stringMatching(/^POST \/v1\/carts -> .*\(PERSONAL DATA\)$/));
    expect(shop.cached).toContain('/v1/carts (PERSONAL DATA)');
    expect(shop.logs).toEqual(['not exported (no Logpush job)']);
    expect(renderMarkdown(report)).toContain('**ResidencyCloudflareBoundary** `cdn/shop`');
    expect(renderHtml(report)).toMatch(/class="fail"><td>cloudflare/);
  });
});
