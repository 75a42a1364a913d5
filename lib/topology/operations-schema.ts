import { z } from 'zod';

/**
 * Topology settings for running what `cdk deploy` creates: API throttling,
 * WAF, who alarms notify, writer fencing and promotion, backups and stack
 * protection. Each has a default, so an existing topology file stays valid.
 * Cross-field rules (burst >= rate, fencing where the partition has ARC) are
 * in schema.ts's superRefine with the others.
 */

const throttleSchema = (rateLimit: number, burstLimit: number) =>
  z.strictObject({
    rateLimit: z.number().int().min(1).default(rateLimit).describe('Steady-state requests per second.'),
    burstLimit: z
      .number()
      .int()
      .min(1)
      .default(burstLimit)
      .describe('Token-bucket size (requests); at least rateLimit.'),
  });

export const DEFAULT_API_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;
/**
 * The health route's own bucket. Route 53 probes each cell from its checker
 * locations (a request every few seconds per location at a 10 s interval),
 * far below this; the limit only bounds what an anonymous caller can do to it.
 */
export const DEFAULT_HEALTH_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

export const apiSettingsSchema = z.strictObject({
  throttle: throttleSchema(DEFAULT_API_THROTTLE.rateLimit, DEFAULT_API_THROTTLE.burstLimit)
    .prefault({})
    .describe('Business routes of each cell stage (API Gateway throttles per method).'),
  healthThrottle: throttleSchema(DEFAULT_HEALTH_THROTTLE.rateLimit, DEFAULT_HEALTH_THROTTLE.burstLimit)
    .prefault({})
    .describe(
      "The health route's own throttle (GET <healthCheck.path> is its own API Gateway method), so business traffic can never throttle Route 53's checks into a false failover.",
    ),
});

export const wafSchema = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe('AWS WAF web ACL (AWS managed rule groups + a per-IP rate rule) on every API stage and CDN.'),
  rateLimitPerIp: z
    .number()
    .int()
    .min(10)
    .max(2_000_000_000)
    .default(2000)
    .describe('Requests one client IP may send in 5 minutes before WAF blocks it (AWS WAF minimum 10).'),
});

export const alertsSchema = z.strictObject({
  emails: z
    .array(z.email())
    .default([])
    .describe(
      "E-mail addresses subscribed to every alarm topic (each confirms AWS SNS's subscription mail once).",
    ),
});

/**
 * Replication behind by more than this is not caught up: the cells' ReplicationLatency alarm fires above it,
 * and a fenced zone fails back only while replication toward the primary is behind by less (a busy zone
 * always has writes in flight, so "nothing pending" is not a condition it reaches).
 */
export const REPLICATION_LATENCY_ALARM_MS = 5_000;

export const FENCING_MODES = ['arc', 'none'] as const;
export type FencingMode = (typeof FENCING_MODES)[number];

export const failoverSchema = z.strictObject({
  fencing: z
    .enum(FENCING_MODES)
    .optional()
    .describe(
      'Writer fencing per zone with a secondary: `arc` (Route 53 ARC routing controls; a cell writes only while its control is ON) or `none`. Default: `arc` for zones with a secondary in a partition with ARC, otherwise `none`.',
    ),
  promotion: z
    .enum(['automatic', 'manual'])
    .default('automatic')
    .describe(
      "Fenced zones: `automatic` turns the secondary ON and the primary OFF when the primary's health-check alarm fires; `manual` only notifies.",
    ),
});

export const backupSchema = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe(
      "AWS Backup vault and daily plan for the zone table, in each primary cell's own region and partition.",
    ),
  retentionDays: z.number().int().min(7).max(3650).default(35).describe('How long recovery points are kept.'),
});

export const deploymentSchema = z.strictObject({
  terminationProtection: z
    .boolean()
    .default(true)
    .describe('CloudFormation termination protection on the routing, DNS, failover-control and cell stacks.'),
});
