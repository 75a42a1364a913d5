/**
 * The catalog of regions the toolkit knows: partition and the jurisdiction the
 * region's data centres sit in. Residency rules are decided from this table,
 * so a region missing here is rejected rather than guessed.
 *
 * Partitions are cross-checked against aws-cdk-lib's region-info in
 * test/lib/topology/regions.test.ts, so this table cannot drift from CDK.
 */

export const PARTITIONS = ['aws', 'aws-eusc', 'aws-us-gov', 'aws-cn'] as const;
export type Partition = (typeof PARTITIONS)[number];

export interface RegionFacts {
  readonly partition: Partition;
  /** ISO 3166-1 alpha-2 country of the region. */
  readonly country: string;
  /** True when the region's country is an EU member state. */
  readonly inEu: boolean;
}

const region = (partition: Partition, country: string, inEu = false): RegionFacts => ({
  partition,
  country,
  inEu,
});

export const REGIONS: Readonly<Record<string, RegionFacts>> = {
  // aws (commercial)
  'us-east-1': region('aws', 'US'),
  'us-east-2': region('aws', 'US'),
  'us-west-1': region('aws', 'US'),
  'us-west-2': region('aws', 'US'),
  'ca-central-1': region('aws', 'CA'),
  'ca-west-1': region('aws', 'CA'),
  'sa-east-1': region('aws', 'BR'),
  'mx-central-1': region('aws', 'MX'),
  'eu-central-1': region('aws', 'DE', true),
  'eu-central-2': region('aws', 'CH'),
  'eu-west-1': region('aws', 'IE', true),
  'eu-west-2': region('aws', 'GB'),
  'eu-west-3': region('aws', 'FR', true),
  'eu-north-1': region('aws', 'SE', true),
  'eu-south-1': region('aws', 'IT', true),
  'eu-south-2': region('aws', 'ES', true),
  'me-central-1': region('aws', 'AE'),
  'me-south-1': region('aws', 'BH'),
  'il-central-1': region('aws', 'IL'),
  'af-south-1': region('aws', 'ZA'),
  'ap-east-1': region('aws', 'HK'),
  'ap-south-1': region('aws', 'IN'),
  'ap-south-2': region('aws', 'IN'),
  'ap-northeast-1': region('aws', 'JP'),
  'ap-northeast-2': region('aws', 'KR'),
  'ap-northeast-3': region('aws', 'JP'),
  'ap-southeast-1': region('aws', 'SG'),
  'ap-southeast-2': region('aws', 'AU'),
  'ap-southeast-3': region('aws', 'ID'),
  'ap-southeast-4': region('aws', 'AU'),
  'ap-southeast-5': region('aws', 'MY'),
  'ap-southeast-7': region('aws', 'TH'),
  // AWS European Sovereign Cloud: one region today, cannot replicate to `aws`.
  'eusc-de-east-1': region('aws-eusc', 'DE', true),
  // GovCloud and China, so that a topology naming them gets a partition error, not "unknown region".
  'us-gov-west-1': region('aws-us-gov', 'US'),
  'us-gov-east-1': region('aws-us-gov', 'US'),
  'cn-north-1': region('aws-cn', 'CN'),
  'cn-northwest-1': region('aws-cn', 'CN'),
};

export function regionFacts(name: string): RegionFacts | undefined {
  return Object.hasOwn(REGIONS, name) ? REGIONS[name] : undefined;
}

/** Regions a residency-`eu` zone may use: EU member-state regions of `aws`, and all of `aws-eusc`. */
export function allowedForEuResidency(name: string): boolean {
  const facts = regionFacts(name);
  return facts !== undefined && (facts.inEu || facts.partition === 'aws-eusc');
}

export interface PartitionCapabilities {
  /** Amazon CloudFront (a distribution's control plane lives in the partition's own control region). */
  readonly cloudFront: boolean;
  /** AWS Fault Injection Service. */
  readonly fis: boolean;
  readonly route53HealthChecks: boolean;
  /** Route 53 Application Recovery Controller routing controls (writer fencing, failover.fencing: arc). */
  readonly arc: boolean;
  /** AWS WAF (regional web ACLs on API Gateway stages). */
  readonly waf: boolean;
  /** AWS Backup (vault and plan per primary cell). */
  readonly backup: boolean;
}

/**
 * Services that do not exist in every partition; stacks, the schema and the
 * preflight consult this, not string checks. `aws-eusc` (AWS European
 * Sovereign Cloud): CloudFront launched there on 2026-11-23 (AWS SDK release
 * notes of that week), so a CDN inside the partition is possible; the edge
 * stack still never fronts a sovereign zone from `aws`. Route 53 ARC routing
 * controls are not documented for `aws-eusc` (their control plane is us-west-2),
 * so the sovereign zone is not fenced; with one region it has no secondary to
 * fence anyway. WAF and Backup there are assumptions the preflight verifies
 * (`npm run preflight`) against the partition's own service list.
 */
export const PARTITION_CAPABILITIES: Readonly<Record<Partition, PartitionCapabilities>> = {
  aws: { cloudFront: true, fis: true, route53HealthChecks: true, arc: true, waf: true, backup: true },
  'aws-eusc': {
    cloudFront: true,
    fis: false,
    route53HealthChecks: true,
    arc: false,
    waf: true,
    backup: true,
  },
  'aws-us-gov': {
    cloudFront: false,
    fis: true,
    route53HealthChecks: true,
    arc: false,
    waf: true,
    backup: true,
  },
  'aws-cn': { cloudFront: true, fis: false, route53HealthChecks: true, arc: false, waf: true, backup: true },
};
