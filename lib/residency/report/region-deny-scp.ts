import type { TopologyModel, Zone } from '../../topology/model';

/**
 * Region-deny service control policies, after AWS Organizations' example
 * "Deny access to AWS based on the requested AWS Region": deny every action
 * whose `aws:RequestedRegion` is not one of the approved regions, except the
 * global services whose single endpoint sits in us-east-1 (or the partition's
 * control region) and would otherwise be denied outright.
 *
 * Deliberately NOT exempted, unlike some published examples: `kms:*` (keys
 * are residency evidence: a key outside the zone is a violation) and data
 * services of any kind.
 */
export const GLOBAL_SERVICE_EXEMPTIONS: readonly string[] = [
  'account:*',
  'acm:*',
  'aws-portal:*',
  'billing:*',
  'budgets:*',
  'ce:*',
  'cloudfront:*',
  'cur:*',
  'directconnect:*',
  'ec2:DescribeRegions',
  'globalaccelerator:*',
  'health:*',
  'iam:*',
  'networkmanager:*',
  'organizations:*',
  'pricing:*',
  'route53:*',
  'route53-recovery-cluster:*',
  'route53-recovery-control-config:*',
  'route53-recovery-readiness:*',
  'route53domains:*',
  's3:GetAccountPublic*',
  's3:ListAllMyBuckets',
  's3:ListMultiRegionAccessPoints',
  's3:PutAccountPublic*',
  'shield:*',
  'sts:*',
  'support:*',
  'trustedadvisor:*',
  'waf:*',
  'wafv2:*',
];

export interface ServiceControlPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: readonly {
    readonly Sid: string;
    readonly Effect: 'Deny';
    readonly NotAction: readonly string[];
    readonly Resource: '*';
    readonly Condition: { readonly StringNotEquals: { readonly 'aws:RequestedRegion': readonly string[] } };
  }[];
}

export function regionDenyPolicy(regions: readonly string[], sid: string): ServiceControlPolicy {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: sid,
        Effect: 'Deny',
        NotAction: GLOBAL_SERVICE_EXEMPTIONS,
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': [...regions].sort() } },
      },
    ],
  };
}

const sidOf = (name: string) => `DenyOutside${name.replace(/[^A-Za-z0-9]/g, '')}Regions`;

/** The SCP for one zone's accounts: only the zone's own regions. */
export function zoneServiceControlPolicy(zone: Zone): ServiceControlPolicy {
  return regionDenyPolicy(zone.regions, sidOf(`Zone${zone.name[0]!.toUpperCase()}${zone.name.slice(1)}`));
}

export interface AccountPolicy {
  readonly account: string;
  readonly zones: readonly string[];
  readonly policy: ServiceControlPolicy;
}

/**
 * The topology gives one account per partition, so zones can share an
 * account; a shared account needs the union of its zones' regions (attaching
 * one zone's SCP would lock out the other zone). Separate accounts per zone
 * remain the stronger design, and then the per-zone SCP applies as is.
 */
export function accountServiceControlPolicies(model: TopologyModel): AccountPolicy[] {
  const byAccount = new Map<string, Zone[]>();
  for (const zone of model.zones) byAccount.set(zone.account, [...(byAccount.get(zone.account) ?? []), zone]);
  return [...byAccount.entries()].map(([account, zones]) => ({
    account,
    zones: zones.map((z) => z.name),
    policy: regionDenyPolicy([...new Set(zones.flatMap((z) => z.regions))], sidOf(`Account${account}`)),
  }));
}
