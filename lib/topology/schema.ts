import { z } from 'zod';
import {
  alertsSchema,
  apiSettingsSchema,
  backupSchema,
  deploymentSchema,
  failoverSchema,
  wafSchema,
} from './operations-schema';
import {
  allowedForEuResidency,
  PARTITION_CAPABILITIES,
  type Partition,
  PARTITIONS,
  REGIONS,
  regionFacts,
} from './regions';

/**
 * The topology schema: the one place a topology file is validated. Types are
 * derived from it (`Topology`), and every rule that spans fields lives in the
 * `superRefine` below so that all problems are reported together.
 */

const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const domainName = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** `default`, `continent:EU` or `country:DE`, mirroring Route 53 geolocation locations. */
export const GEOGRAPHY_PATTERN = /^(default|continent:(AF|AN|AS|EU|NA|OC|SA)|country:[A-Z]{2})$/;

/** Failover records need a short TTL or clients keep resolving a dead cell; the cell constructs check it too. */
export const MAX_FAILOVER_TTL_SECONDS = 60;
export const HEALTH_CHECK_INTERVALS = [10, 30] as const;

const hostedZoneSchema = z.union([
  z.strictObject({
    create: z.literal(true).describe('Create a public hosted zone for `domain` in the routing stack.'),
  }),
  z.strictObject({
    id: z
      .string()
      .regex(/^Z[A-Z0-9]{1,32}$/, 'must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ')
      .describe('Import an existing hosted zone by id (no lookup: synth needs no credentials).'),
  }),
]);

const zoneSchema = z.strictObject({
  name: z
    .string()
    .regex(dnsLabel, 'must be a lowercase DNS label (a-z, 0-9, -), e.g. "global" or "eu"')
    .describe('Zone name; also a DNS label: api.<zone>.<domain>.'),
  residency: z
    .enum(['none', 'eu'])
    .describe('Data-residency class: `eu` keeps every data store in EU regions or aws-eusc.'),
  sovereign: z
    .boolean()
    .default(false)
    .describe(
      'Sovereign zone: its DNS names are delegated to a hosted zone inside its own partition; may be single-region.',
    ),
  primaryRegion: z.string().describe('Region of the primary (serving) cell.'),
  secondaryRegion: z
    .string()
    .optional()
    .describe('Region of the warm secondary cell; omit for a single-region zone.'),
  geographies: z
    .array(z.string().regex(GEOGRAPHY_PATTERN, 'must be "default", "continent:XX" or "country:XX"'))
    .min(1, 'list at least one geography this zone serves, e.g. ["continent:EU"] or ["default"]')
    .describe('Geolocation routing: which clients this zone serves.'),
  delegatedNameServers: z
    .array(z.string().regex(domainName, 'must be a name server host name'))
    .optional()
    .describe(
      'Sovereign zones only: name servers of the zone-partition hosted zone (output of its DNS stack after the first deploy).',
    ),
});

const healthCheckSchema = z.strictObject({
  path: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be an absolute URL path such as /v1/health')
    .default('/v1/health'),
  intervalSeconds: z.number().int().default(10).describe('Route 53 request interval: 10 (fast) or 30.'),
  failureThreshold: z
    .number()
    .int()
    .default(3)
    .describe('Consecutive failures before a cell is unhealthy, 1-10.'),
});

/** The CDN vendors the toolkit provisions: CloudFront with CDK, Cloudflare with CDK for Terraform. */
export const CDN_VENDORS = ['cloudfront', 'cloudflare'] as const;
export type CdnVendor = (typeof CDN_VENDORS)[number];

/** Route 53 accepts weights 0-255 on weighted records. */
const MAX_ROUTE53_WEIGHT = 255;

const cloudflareId = (what: string) =>
  z.string().regex(/^[0-9a-f]{32}$/, `must be a Cloudflare ${what} id (32 lowercase hex characters)`);

const edgeOriginSchema = z
  .strictObject({
    connectionAttempts: z
      .number()
      .int()
      .min(1, 'CloudFront makes 1 to 3 connection attempts')
      .max(3, 'CloudFront makes 1 to 3 connection attempts')
      .default(1)
      .describe('Connection attempts per origin before failing over (CloudFront: 1-3).'),
    connectionTimeoutSeconds: z
      .number()
      .int()
      .min(1, 'CloudFront accepts 1 to 10 seconds')
      .max(10, 'CloudFront accepts 1 to 10 seconds')
      .default(2)
      .describe('Seconds to wait for a TCP/TLS connection to an origin (CloudFront: 1-10).'),
    readTimeoutSeconds: z
      .number()
      .int()
      .min(1, 'both CDNs accept 1 to 60 seconds')
      .max(60, 'both CDNs accept 1 to 60 seconds')
      .default(5)
      .describe(
        'Seconds to wait for the first byte from an origin (CloudFront read timeout, Cloudflare read_timeout).',
      ),
  })
  .describe(
    'How long a CDN waits for a cell: a dead primary fails over after attempts x connection timeout, not 30 s.',
  );

const edgeSteeringSchema = z
  .strictObject({
    mode: z
      .enum(['weighted', 'failover'])
      .default('weighted')
      .describe(
        '`weighted`: both CDNs serve, in proportion to `weights`, and Route 53 drops the unhealthy one; `failover`: `primary` serves, the other takes over when its health check fails.',
      ),
    weights: z
      .strictObject({
        cloudfront: z.number().int().default(50),
        cloudflare: z.number().int().default(50),
      })
      .prefault({})
      .describe('Route 53 weights (0-255) per CDN in weighted mode.'),
    primary: z
      .enum(CDN_VENDORS)
      .default('cloudfront')
      .describe('The CDN that serves in failover mode while healthy.'),
  })
  .describe('How Route 53 steers the public catalog hostnames between the CDNs.');

const cloudflareSchema = z
  .strictObject({
    accountId: cloudflareId('account').describe(
      'Cloudflare account that owns the load-balancer pools, monitors and log buckets.',
    ),
    zone: z
      .union([
        z.strictObject({
          create: z
            .literal(true)
            .describe(
              'Create a partial (CNAME setup) Cloudflare zone for `domain`; Route 53 stays authoritative.',
            ),
        }),
        z.strictObject({
          id: cloudflareId('zone').describe(
            'Use an existing partial (CNAME setup) Cloudflare zone for `domain`, by id.',
          ),
        }),
      ])
      .default({ create: true }),
    verificationKey: z
      .string()
      .regex(/^[A-Za-z0-9-]{8,128}$/, 'must be the verification_key output of the Cloudflare zone')
      .optional()
      .describe(
        'After the first `terraform apply` of a created zone: its verification_key output; the routing stack publishes it as the cloudflare-verify TXT record.',
      ),
  })
  .describe('The second CDN vendor (Terraform JSON from `npm run cdn:synth`); omit to run CloudFront alone.');

const edgeSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Create the CDN edge stack for non-sovereign zones.'),
  priceClass: z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All']).default('PriceClass_100'),
  catalogCacheTtlSeconds: z.number().int().min(0).max(86400).default(60),
  origin: edgeOriginSchema.prefault({}),
  steering: edgeSteeringSchema.prefault({}),
  cloudflare: cloudflareSchema.optional(),
});

const authSchema = z.strictObject({
  issuer: z.url().describe('Expected `iss` of bearer tokens, e.g. https://login.example.com/'),
  audience: z.string().min(1).describe('Expected `aud` of bearer tokens.'),
  jwksUrl: z.url().describe("URL of the identity provider's JSON Web Key Set."),
});

export const topologySchema = z
  .strictObject({
    $schema: z.string().optional(),
    appName: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,23}$/, 'must be 2-24 chars of a-z, 0-9 and -, starting with a letter')
      .describe('Prefix of every stack and resource name.'),
    domain: z.string().regex(domainName, 'must be a lowercase domain name such as shop.example.com'),
    hostedZone: hostedZoneSchema,
    accounts: z
      .partialRecord(z.enum(PARTITIONS), z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))
      .describe('Account id per partition in use, e.g. { aws: "111111111111", aws-eusc: "222222222222" }.'),
    zones: z.array(zoneSchema).min(1, 'declare at least one zone'),
    healthCheck: healthCheckSchema.prefault({}),
    dns: z.strictObject({ ttlSeconds: z.number().int().min(1).default(60) }).prefault({}),
    edge: edgeSchema.prefault({}),
    drills: z
      .strictObject({
        fis: z
          .boolean()
          .default(true)
          .describe(
            'Create AWS FIS drill templates (DrillStack) for each zone with a secondary, where the partition has FIS.',
          ),
        lambdaFaultInjection: z
          .boolean()
          .default(false)
          .describe(
            'Opt in for a drill window: wrap the primary API in the FIS Lambda extension and add the invocation-error experiment. Off, no production invocation runs through it; turn it off again after the drill.',
          ),
      })
      .prefault({}),
    api: apiSettingsSchema.prefault({}),
    waf: wafSchema.prefault({}),
    alerts: alertsSchema.prefault({}),
    failover: failoverSchema.prefault({}),
    backup: backupSchema.prefault({}),
    deployment: deploymentSchema.prefault({}),
    auth: authSchema
      .optional()
      .describe('Identity provider for bearer tokens; without it every protected API route answers 401.'),
  })
  .superRefine((topology, ctx) => {
    const problem = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });

    const { intervalSeconds, failureThreshold } = topology.healthCheck;
    if (!(HEALTH_CHECK_INTERVALS as readonly number[]).includes(intervalSeconds)) {
      problem(
        ['healthCheck', 'intervalSeconds'],
        `is ${intervalSeconds}; Route 53 supports only 10 or 30 seconds`,
      );
    }
    if (failureThreshold < 1 || failureThreshold > 10) {
      problem(
        ['healthCheck', 'failureThreshold'],
        `is ${failureThreshold}; Route 53 accepts 1 to 10 consecutive failures`,
      );
    }
    if (topology.dns.ttlSeconds > MAX_FAILOVER_TTL_SECONDS) {
      problem(
        ['dns', 'ttlSeconds'],
        `is ${topology.dns.ttlSeconds}; failover records need a TTL of at most ${MAX_FAILOVER_TTL_SECONDS} s or clients keep resolving a dead cell`,
      );
    }

    for (const key of ['throttle', 'healthThrottle'] as const) {
      const { rateLimit, burstLimit } = topology.api[key];
      if (burstLimit < rateLimit) {
        problem(
          ['api', key, 'burstLimit'],
          `is ${burstLimit}, below rateLimit ${rateLimit}; make the burst at least the rate`,
        );
      }
    }

    checkSteering(topology.edge, problem);

    const zoneIndexByName = new Map<string, number>();
    const geographyOwner = new Map<string, string>();
    /** Region -> the zone whose cell it hosts: one account per partition, so a region hosts one zone's cell. */
    const regionOwner = new Map<string, string>();
    const partitionsInUse = new Set<Partition>();

    topology.zones.forEach((zone, index) => {
      const at = (field: string) => ['zones', index, field];
      const label = `zone ${zone.name}`;

      const firstIndex = zoneIndexByName.get(zone.name);
      if (firstIndex !== undefined) {
        problem(
          at('name'),
          `${label}: the name is already used by zones[${firstIndex}]; zone names must be unique`,
        );
      } else {
        zoneIndexByName.set(zone.name, index);
      }

      const regions: { field: string; name: string }[] = [
        { field: 'primaryRegion', name: zone.primaryRegion },
      ];
      if (zone.secondaryRegion !== undefined)
        regions.push({ field: 'secondaryRegion', name: zone.secondaryRegion });

      for (const { field, name } of regions) {
        if (!regionFacts(name)) {
          problem(
            at(field),
            `${label}: unknown region "${name}"; use a region of lib/topology/regions.ts, e.g. ${Object.keys(REGIONS).slice(0, 4).join(', ')}`,
          );
        }
      }
      const known = regions.filter((r) => regionFacts(r.name));
      for (const r of known) partitionsInUse.add(regionFacts(r.name)!.partition);

      for (const r of known) {
        const owner = regionOwner.get(r.name);
        if (owner !== undefined && owner !== zone.name) {
          problem(
            at(r.field),
            `${label}: ${r.name} already hosts a cell of zone ${owner}; both cells would claim the custom domain api.${topology.domain} in the same account and region, so give each zone its own regions`,
          );
        } else {
          regionOwner.set(r.name, zone.name);
        }
      }

      if (zone.secondaryRegion !== undefined && zone.secondaryRegion === zone.primaryRegion) {
        problem(
          at('secondaryRegion'),
          `${label}: secondaryRegion equals primaryRegion (${zone.primaryRegion}); choose another region or omit secondaryRegion for a single-region zone`,
        );
      }

      if (known.length === 2) {
        const [a, b] = known.map((r) => ({ ...r, partition: regionFacts(r.name)!.partition }));
        if (a.partition !== b.partition) {
          problem(
            at('secondaryRegion'),
            `${label}: ${a.name} (${a.partition}) and ${b.name} (${b.partition}) are in different partitions; DynamoDB global tables cannot replicate across partitions`,
          );
        }
      }

      if (zone.residency === 'eu') {
        for (const r of known) {
          if (!allowedForEuResidency(r.name)) {
            problem(
              at(r.field),
              `${label}: ${r.name} is in ${regionFacts(r.name)!.country}, outside the EU; residency eu allows only EU regions (e.g. eu-central-1, eu-west-1) or aws-eusc regions`,
            );
          }
        }
      }

      const partitionOfZone = regionFacts(zone.primaryRegion)?.partition;
      if (
        topology.failover.fencing === 'arc' &&
        zone.secondaryRegion !== undefined &&
        partitionOfZone !== undefined &&
        !PARTITION_CAPABILITIES[partitionOfZone].arc
      ) {
        problem(
          ['failover', 'fencing'],
          `${label}: partition ${partitionOfZone} has no Route 53 ARC routing controls to fence its writer; set failover.fencing: none (or leave it unset: zones without ARC are then unfenced)`,
        );
      }

      if (zone.delegatedNameServers !== undefined && !zone.sovereign) {
        problem(
          at('delegatedNameServers'),
          `${label}: only sovereign zones are delegated; remove delegatedNameServers or set sovereign: true`,
        );
      }

      for (const geography of zone.geographies) {
        const owner = geographyOwner.get(geography);
        if (owner !== undefined && owner !== zone.name) {
          problem(
            at('geographies'),
            `${label}: geography "${geography}" is already served by zone ${owner}; each geography routes to exactly one zone`,
          );
        } else {
          geographyOwner.set(geography, zone.name);
        }
      }
    });

    if (!geographyOwner.has('default')) {
      problem(
        ['zones'],
        'no zone serves geography "default"; add "default" to one zone so clients outside every listed geography are routed',
      );
    }

    for (const partition of partitionsInUse) {
      if (!topology.accounts[partition]) {
        problem(
          ['accounts', partition],
          `partition ${partition} is used by a zone but has no account; add accounts.${partition}: "<12-digit account id>"`,
        );
      }
    }
  });

/** Weights and mode of the CDN steering: one problem per mistake, each naming the field and the fix. */
function checkSteering(
  edge: z.output<typeof edgeSchema>,
  problem: (path: (string | number)[], message: string) => void,
): void {
  const { mode, weights, primary } = edge.steering;
  for (const vendor of CDN_VENDORS) {
    const weight = weights[vendor];
    if (weight < 0 || weight > MAX_ROUTE53_WEIGHT) {
      problem(
        ['edge', 'steering', 'weights', vendor],
        `is ${weight}; Route 53 weights are 0 to ${MAX_ROUTE53_WEIGHT}`,
      );
    }
  }
  const cloudflare = edge.cloudflare !== undefined;
  if (mode === 'weighted' && cloudflare && edge.enabled && weights.cloudfront + weights.cloudflare === 0) {
    problem(
      ['edge', 'steering', 'weights'],
      'both weights are 0, so Route 53 would send no client to either CDN; give at least one CDN a weight above 0',
    );
  }
  if (edge.cloudflare?.verificationKey !== undefined && 'id' in edge.cloudflare.zone) {
    problem(
      ['edge', 'cloudflare', 'verificationKey'],
      'is set for an existing Cloudflare zone (zone.id); only a zone this toolkit creates needs it, so remove it',
    );
  }
  if (mode === 'failover' && primary === 'cloudflare' && !cloudflare) {
    problem(
      ['edge', 'steering', 'primary'],
      'is cloudflare but edge.cloudflare is not set; set edge.cloudflare or make cloudfront the primary',
    );
  }
  if (mode === 'failover' && primary === 'cloudfront' && !edge.enabled && cloudflare) {
    problem(
      ['edge', 'steering', 'primary'],
      'is cloudfront but edge.enabled is false; enable the edge stack or make cloudflare the primary',
    );
  }
}

/** The validated topology, with defaults applied. */
export type Topology = z.output<typeof topologySchema>;
export type ZoneConfig = Topology['zones'][number];
/** What a topology file may contain (defaults not yet applied). */
export type TopologyInput = z.input<typeof topologySchema>;
