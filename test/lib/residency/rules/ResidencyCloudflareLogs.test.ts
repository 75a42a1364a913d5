import { cloudflareTerraformJson } from '../../../../lib/cdn-terraform/synth';
import { ResidencyCloudflareLogs } from '../../../../lib/residency';
import { buildModel, parseTopology } from '../../../../lib/topology';
import { TEST_MODEL, terraformInventory, violations } from '../support';

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
const generated = () => cloudflareTerraformJson(MODEL) as Json;
const evaluate = (config: unknown) => ResidencyCloudflareLogs.evaluate(terraformInventory(config, MODEL));
const euJob = (config: Json) => config.resource.cloudflare_logpush_job!.logpush_eu as Record<string, string>;

describe('ResidencyCloudflareLogs', () => {
  it("passes the toolkit's configuration: the eu zone logs to an R2 bucket of jurisdiction eu", () => {
    const findings = evaluate(generated());
    expect(violations(findings)).toEqual([]);
    expect(findings.map((f) => f.message)).toContain(
      "Cloudflare hostname catalog.eu.shop.example.com (zone eu): logs go to R2 bucket shop-cdn-logs-eu (jurisdiction eu), inside the zone's boundary.",
    );
    // Secrets stay Terraform variables and never reach a finding.
    expect(JSON.stringify(findings)).not.toContain('secret-access-key=$');
  });

  it("fails when the eu zone's logs go to R2's default jurisdiction", () => {
    const config = generated();
    const job = euJob(config);
    job.destination_conf = job.destination_conf!.replace(
      '.eu.r2.cloudflarestorage.com',
      '.r2.cloudflarestorage.com',
    );
    (config.resource.cloudflare_r2_bucket!.logs_eu as Record<string, string>).jurisdiction = 'default';
    const found = violations(evaluate(config));
    expect(found.map((f) => f.logicalId)).toContain('cloudflare_logpush_job.logpush_eu');
    expect(found[0]!.message).toMatch(
      /logs go to R2 bucket shop-cdn-logs-eu \(jurisdiction default\), outside residency eu/,
    );
    expect(found[0]!.fix).toContain('jurisdiction "eu"');
  });

  it('fails an R2 endpoint whose jurisdiction contradicts the bucket it writes', () => {
    const config = generated();
    (config.resource.cloudflare_r2_bucket!.logs_eu as Record<string, string>).jurisdiction = 'default';
    expect(violations(evaluate(config))[0]?.message).toContain(
      'the endpoint is R2 jurisdiction eu but bucket shop-cdn-logs-eu is declared in jurisdiction default',
    );
  });

  it("judges an AWS S3 destination by the zone's own regions", () => {
    const config = generated();
    euJob(config).destination_conf = 's3://eu-cdn-logs/cloudflare/{DATE}?region=us-east-1';
    expect(violations(evaluate(config)).map((f) => f.message)).toContain(
      'Cloudflare hostname catalog.eu.shop.example.com (zone eu): logs go to S3 bucket eu-cdn-logs in us-east-1, outside residency eu.',
    );
    euJob(config).destination_conf = 's3://eu-cdn-logs/cloudflare/{DATE}?region=eu-central-1';
    expect(violations(evaluate(config))).toEqual([]);
  });

  it("fails one job without a host filter that takes every zone's logs to the default jurisdiction", () => {
    const config = generated();
    delete config.resource.cloudflare_logpush_job!.logpush_eu;
    delete (config.resource.cloudflare_logpush_job!.logpush_global as Record<string, unknown>).filter;
    const found = violations(evaluate(config));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.logicalId === 'cloudflare_logpush_job.logpush_global')).toBe(true);
    expect(found.every((f) => f.message.includes('(zone eu)'))).toBe(true);
  });
});
