import type { TopologyModel } from '../../topology/model';
import { cdnBehaviors, cloudFrontLogDestination } from '../cdn';
import { CLOUDFLARE_TYPES, type CloudflareFront, cloudflareFronts } from '../cloudflare';
import { encryptionAtRest } from '../encryption';
import type { Finding } from '../finding';
import type { Inventory, InventoryResource, ZoneSource } from '../inventory';
import { replicationTargets } from '../replication';
import { CLOUDFRONT_DISTRIBUTION, DATA_STORE_TYPES } from '../resource-kinds';
import { evaluateRules, RESIDENCY_RULES } from '../rules';
import { type ReachableStore, reachableStores } from '../lambda-reach';
import {
  type AccountPolicy,
  accountServiceControlPolicies,
  type ServiceControlPolicy,
  zoneServiceControlPolicy,
} from './region-deny-scp';
import { retentionOf } from './retention';

/**
 * The residency evidence a compliance reviewer reads: every resource that
 * stores or carries data, where it lives, where its data goes, how it is
 * encrypted, and the result of every residency rule (the same rules that
 * guard synth). Plain data: rendered to JSON, Markdown and HTML elsewhere.
 */

const CARRIER_TYPES = new Set([
  'Custom::DynamoDBReplica',
  'AWS::Logs::SubscriptionFilter',
  'AWS::Events::Rule',
  'AWS::SNS::Subscription',
  'AWS::Lambda::Function',
  CLOUDFRONT_DISTRIBUTION,
]);

export interface ReportReplication {
  readonly kind: string;
  readonly target: string;
  readonly region?: string;
  readonly withinZone: boolean;
}

export interface ReportEncryption {
  readonly kind: string;
  readonly key: string;
  readonly dataRegion?: string;
  readonly keyRegion?: string;
  readonly customerManaged: boolean;
  readonly sameRegion: boolean;
}

export interface ReportCdnFront {
  readonly pathPattern: string;
  readonly origin: string;
  readonly originZone?: string;
  readonly originRegion?: string;
  readonly routesPersonalData: boolean;
  readonly compliant: boolean;
}

export interface ReportEntry {
  readonly constructPath: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly zone?: string;
  readonly zoneSource: ZoneSource;
  readonly partition?: string;
  readonly region?: string;
  readonly classification?: string;
  readonly retention?: string;
  readonly replication: readonly ReportReplication[];
  readonly encryption: readonly ReportEncryption[];
  /** For a distribution: what it fronts. */
  readonly cdnFronts: readonly ReportCdnFront[];
  /** For a store: the distributions that serve it (S3 origins). */
  readonly exposedThrough: readonly string[];
  /** For a Lambda function: stores its role can act on. */
  readonly reaches: readonly ReachableStore[];
  readonly findings: readonly Pick<Finding, 'ruleId' | 'compliant' | 'message' | 'fix' | 'location'>[];
  readonly compliant: boolean;
}

/** One CDN of either vendor: what it fronts, for which zones, where its logs go, and its rule results. */
export interface ReportCdn {
  readonly vendor: 'cloudfront' | 'cloudflare';
  /** Construct path of the distribution, or the Cloudflare hostname. */
  readonly name: string;
  /** Where the configuration was read: a CloudFormation template or a Terraform JSON file. */
  readonly source: string;
  /** Zones whose cells are origins. */
  readonly zones: readonly string[];
  /** Path patterns that reach an origin, each with where it goes. */
  readonly fronts: readonly string[];
  /** Paths the CDN caches (Cloudflare: from its cache rules; CloudFront: its cached behaviours). */
  readonly cached: readonly string[];
  /** Where the request logs go. */
  readonly logs: readonly string[];
  /** Cloudflare Regional Services region, if any. */
  readonly regionKey?: string;
  readonly findings: readonly Pick<Finding, 'ruleId' | 'compliant' | 'message' | 'fix'>[];
  readonly compliant: boolean;
}

export interface ReportZone {
  readonly name: string;
  readonly residency: string;
  readonly sovereign: boolean;
  readonly partition: string;
  readonly account: string;
  readonly regions: readonly string[];
}

/** One arrow of the data-flow picture. */
export interface DataFlow {
  readonly kind: 'replication' | 'cdn' | 'lambda-access';
  readonly label: string;
  readonly from: { readonly zone?: string; readonly region?: string; readonly node?: string };
  readonly to: { readonly zone?: string; readonly region?: string };
  readonly crossesBoundary: boolean;
}

export interface ResidencyReport {
  readonly generatedAt: string;
  readonly appName: string;
  readonly domain: string;
  readonly zones: readonly ReportZone[];
  readonly rules: readonly { id: string; description: string; checked: number; violations: number }[];
  readonly entries: readonly ReportEntry[];
  readonly violations: readonly Finding[];
  readonly flows: readonly DataFlow[];
  /** Every CDN of both vendors. */
  readonly cdns: readonly ReportCdn[];
  readonly serviceControlPolicies: {
    readonly byZone: Readonly<Record<string, ServiceControlPolicy>>;
    readonly byAccount: readonly AccountPolicy[];
  };
  readonly compliant: boolean;
}

function zoneOfRegion(model: TopologyModel, region: string | undefined): string | undefined {
  return region ? model.zones.find((z) => z.regions.includes(region))?.name : undefined;
}

function describeEntry(
  resource: InventoryResource,
  inventory: Inventory,
  findings: readonly Finding[],
): ReportEntry {
  const zoneRegions = resource.zone?.regions ?? [];
  const mine = findings.filter(
    (f) => f.stack === resource.stack.constructPath && f.logicalId === resource.logicalId,
  );
  const cdnFindings = mine.filter((f) => f.ruleId === 'ResidencyCdnBoundary');
  const fronts =
    resource.type === CLOUDFRONT_DISTRIBUTION
      ? cdnBehaviors(resource, inventory).flatMap((b) =>
          b.origins.map((o) => ({
            pathPattern: b.pathPattern,
            origin: o.domain,
            ...(o.zone ? { originZone: o.zone.name } : {}),
            ...(o.region ? { originRegion: o.region } : {}),
            routesPersonalData: b.routesPersonalData,
            compliant: !cdnFindings.some((f) => !f.compliant && f.location === b.location),
          })),
        )
      : [];
  const exposedThrough = inventory.resources
    .filter((r) => r.type === CLOUDFRONT_DISTRIBUTION)
    .filter((d) => cdnBehaviors(d, inventory).some((b) => b.origins.some((o) => o.bucket === resource)))
    .map((d) => d.constructPath);
  return {
    constructPath: resource.constructPath,
    stack: resource.stack.constructPath,
    logicalId: resource.logicalId,
    type: resource.type,
    ...(resource.zoneName ? { zone: resource.zoneName } : {}),
    zoneSource: resource.zoneSource,
    ...(resource.stack.partition ? { partition: resource.stack.partition } : {}),
    ...(resource.stack.region ? { region: resource.stack.region } : {}),
    ...(resource.classification ? { classification: resource.classification } : {}),
    ...(retentionOf(resource) ? { retention: retentionOf(resource)! } : {}),
    replication: replicationTargets(resource, inventory).map((t) => ({
      kind: t.kind,
      target: t.target,
      ...(t.region ? { region: t.region } : {}),
      withinZone: t.region !== undefined && zoneRegions.includes(t.region),
    })),
    encryption: encryptionAtRest(resource, inventory).map((e) => ({
      kind: e.kind,
      key: e.key,
      ...(e.dataRegion ? { dataRegion: e.dataRegion } : {}),
      ...(e.keyRegion ? { keyRegion: e.keyRegion } : {}),
      customerManaged: e.kind === 'customer-managed',
      sameRegion: e.keyRegion !== undefined && e.keyRegion === e.dataRegion,
    })),
    cdnFronts: fronts,
    exposedThrough,
    reaches: resource.type === 'AWS::Lambda::Function' ? reachableStores(resource, inventory) : [],
    findings: mine.map(({ ruleId, compliant, message, fix, location }) => ({
      ruleId,
      compliant,
      message,
      fix,
      location,
    })),
    compliant: mine.every((f) => f.compliant),
  };
}

const findingsOf = (findings: readonly Finding[], resource: InventoryResource) =>
  findings.filter((f) => f.stack === resource.stack.constructPath && f.logicalId === resource.logicalId);

const findingSummary = (mine: readonly Finding[]) =>
  mine.map(({ ruleId, compliant, message, fix }) => ({ ruleId, compliant, message, fix }));

function cloudFrontCdn(
  distribution: InventoryResource,
  inventory: Inventory,
  findings: readonly Finding[],
): ReportCdn {
  const behaviors = cdnBehaviors(distribution, inventory);
  const originText = (o: ReturnType<typeof cdnBehaviors>[number]['origins'][number]) =>
    o.kind === 's3'
      ? `S3 ${o.bucket?.constructPath ?? o.domain}`
      : `${o.zone ? `zone ${o.zone.name} ` : ''}${o.domain}`;
  const logs = cloudFrontLogDestination(distribution, inventory);
  const mine = findingsOf(findings, distribution);
  return {
    vendor: 'cloudfront',
    name: distribution.constructPath,
    source: distribution.stack.templatePath,
    zones: [
      ...new Set(
        behaviors.flatMap((b) =>
          b.origins.flatMap((o) => (o.kind === 'zone-api' && o.zone ? [o.zone.name] : [])),
        ),
      ),
    ],
    fronts: behaviors.map((b) => `${b.pathPattern} -> ${b.origins.map(originText).join(' | ')}`),
    cached: behaviors.filter((b) => b.cached).map((b) => b.pathPattern),
    logs: logs
      ? [
          `S3 bucket ${logs.bucket}${logs.region ? ` in ${logs.region}` : ''}${logs.prefix ? ` (prefix ${logs.prefix})` : ''}`,
        ]
      : ['not logged'],
    findings: findingSummary(mine),
    compliant: mine.every((f) => f.compliant),
  };
}

function cloudflareCdn(front: CloudflareFront, findings: readonly Finding[]): ReportCdn {
  const mine = findingsOf(findings, front.loadBalancer).filter((f) => f.message.includes(front.hostname));
  const logFindings = front.logs.flatMap((log) =>
    findingsOf(findings, log.job).filter((f) => f.message.includes(`hostname ${front.hostname} `)),
  );
  const all = [...mine, ...logFindings];
  const origins = front.origins.map((o) => `${o.zone ? `zone ${o.zone.name} ` : ''}${o.host}`).join(' | ');
  return {
    vendor: 'cloudflare',
    name: front.hostname,
    source: front.loadBalancer.stack.templatePath,
    zones: [...new Set(front.origins.flatMap((o) => (o.zone ? [o.zone.name] : [])))],
    fronts: [
      ...front.served.filter((v) => v.reachesOrigin).map((v) => `${v.method} ${v.path} -> ${origins}`),
      ...front.personalExposures
        .filter((v) => v.reachesOrigin)
        .map((v) => `${v.method} ${v.path} -> ${origins} (PERSONAL DATA)`),
    ],
    cached: [
      ...front.served.filter((v) => v.cached !== false).map((v) => v.path),
      ...front.personalExposures.filter((v) => v.cached !== false).map((v) => `${v.path} (PERSONAL DATA)`),
    ].filter((path, i, paths) => paths.indexOf(path) === i),
    logs: front.logs.length > 0 ? front.logs.map((log) => log.location) : ['not exported (no Logpush job)'],
    ...(front.regionKey ? { regionKey: front.regionKey } : {}),
    findings: findingSummary(all),
    compliant: all.every((f) => f.compliant),
  };
}

/** Terraform resources shown in the inventory: the Cloudflare hostnames, their log jobs and log buckets. */
const TERRAFORM_ENTRY_TYPES: ReadonlySet<string> = new Set([
  CLOUDFLARE_TYPES.loadBalancer,
  CLOUDFLARE_TYPES.logpushJob,
  CLOUDFLARE_TYPES.r2Bucket,
]);

function describeTerraformEntry(
  resource: InventoryResource,
  fronts: readonly CloudflareFront[],
  findings: readonly Finding[],
): ReportEntry {
  const mine = findingsOf(findings, resource);
  const front = fronts.find((f) => f.loadBalancer === resource);
  const zone = front?.origins.find((o) => o.zone)?.zone?.name;
  const jurisdiction = resource.properties.jurisdiction;
  return {
    constructPath: resource.constructPath,
    stack: resource.stack.constructPath,
    logicalId: resource.logicalId,
    type: resource.type,
    ...(zone ? { zone } : {}),
    zoneSource: resource.zoneSource,
    partition: 'cloudflare',
    ...(typeof jurisdiction === 'string' ? { region: `R2 jurisdiction ${jurisdiction}` } : {}),
    ...(front?.regionKey ? { region: `Regional Services ${front.regionKey}` } : {}),
    replication: [],
    encryption: [],
    cdnFronts: front
      ? front.served
          .filter((v) => v.reachesOrigin)
          .flatMap((v) =>
            front.origins.map((o) => ({
              pathPattern: `${v.method} ${v.path}`,
              origin: o.host,
              ...(o.zone ? { originZone: o.zone.name } : {}),
              ...(o.region ? { originRegion: o.region } : {}),
              routesPersonalData: false,
              compliant: mine.every((f) => f.compliant),
            })),
          )
      : [],
    exposedThrough: [],
    reaches: [],
    findings: mine.map(({ ruleId, compliant, message, fix, location }) => ({
      ruleId,
      compliant,
      message,
      fix,
      location,
    })),
    compliant: mine.every((f) => f.compliant),
  };
}

function flowsOf(entries: readonly ReportEntry[], model: TopologyModel): DataFlow[] {
  const flows: DataFlow[] = [];
  for (const e of entries) {
    for (const r of e.replication) {
      flows.push({
        kind: 'replication',
        label: `${r.kind}: ${e.constructPath}`,
        from: { ...(e.zone ? { zone: e.zone } : {}), ...(e.region ? { region: e.region } : {}) },
        to: {
          ...(r.region ? { region: r.region } : {}),
          ...(zoneOfRegion(model, r.region) ? { zone: zoneOfRegion(model, r.region)! } : {}),
        },
        crossesBoundary: !r.withinZone,
      });
    }
    for (const f of e.cdnFronts) {
      flows.push({
        kind: 'cdn',
        label: `${f.pathPattern} -> ${f.origin}`,
        from: { node: e.constructPath },
        to: {
          ...(f.originZone ? { zone: f.originZone } : {}),
          ...(f.originRegion ? { region: f.originRegion } : {}),
        },
        crossesBoundary: !f.compliant,
      });
    }
    for (const store of e.reaches) {
      if (!store.region || store.region === e.region) continue;
      const inZone = model.zones.find((z) => z.name === e.zone)?.regions.includes(store.region) ?? false;
      flows.push({
        kind: 'lambda-access',
        label: `${e.constructPath} -> ${store.target}`,
        from: { ...(e.zone ? { zone: e.zone } : {}), ...(e.region ? { region: e.region } : {}) },
        to: {
          region: store.region,
          ...(zoneOfRegion(model, store.region) ? { zone: zoneOfRegion(model, store.region)! } : {}),
        },
        crossesBoundary: !inZone,
      });
    }
  }
  return flows;
}

export function buildResidencyReport(inventory: Inventory, now: Date = new Date()): ResidencyReport {
  const { model } = inventory;
  const findings = evaluateRules(inventory);
  const fronts = cloudflareFronts(inventory);
  const entries = [
    ...inventory.resources
      .filter((r) => DATA_STORE_TYPES.has(r.type) || CARRIER_TYPES.has(r.type))
      .map((r) => describeEntry(r, inventory, findings)),
    ...inventory.terraformResources
      .filter((r) => TERRAFORM_ENTRY_TYPES.has(r.type))
      .map((r) => describeTerraformEntry(r, fronts, findings)),
  ];
  const cdns = [
    ...inventory.resources
      .filter((r) => r.type === CLOUDFRONT_DISTRIBUTION)
      .map((d) => cloudFrontCdn(d, inventory, findings)),
    ...fronts.map((front) => cloudflareCdn(front, findings)),
  ];
  const violations = findings.filter((f) => !f.compliant);
  return {
    generatedAt: now.toISOString(),
    appName: model.appName,
    domain: model.domain,
    zones: model.zones.map((z) => ({
      name: z.name,
      residency: z.residency,
      sovereign: z.sovereign,
      partition: z.partition,
      account: z.account,
      regions: z.regions,
    })),
    rules: RESIDENCY_RULES.map((rule) => ({
      id: rule.id,
      description: rule.description,
      checked: findings.filter((f) => f.ruleId === rule.id).length,
      violations: violations.filter((f) => f.ruleId === rule.id).length,
    })),
    entries,
    violations,
    flows: flowsOf(entries, model),
    cdns,
    serviceControlPolicies: {
      byZone: Object.fromEntries(model.zones.map((z) => [z.name, zoneServiceControlPolicy(z)])),
      byAccount: accountServiceControlPolicies(model),
    },
    compliant: violations.length === 0,
  };
}
