import { z } from 'zod';
import { type CdnVendor, DEFAULT_TOPOLOGY_FILE } from '../lib/topology';
import { ENDPOINTS_FILE } from './contract';

/**
 * Options of the local topology, validated at the edge (CLI flags and the
 * programmatic API share this schema).
 *
 * Port layout from the base port B (every port on 127.0.0.1):
 *   B        edge router: geolocation entry point, /control/*, /status
 *   B+1      webhook sink
 *   B+2      DynamoDB Local
 *   B+10+i   failover name of zone i (api.<zone>.<domain> stand-in)
 *   B+20+j   API of cell j (api.<region>.<zone>.<domain> stand-in)
 *   B+30+i   steered catalog of zone i (catalog.<zone>.<domain>: Route 53 between its CDNs)
 *   B+40+i   SIMULATED CloudFront of zone i (cloudfront.<zone>.<domain>)
 *   B+50+i   SIMULATED Cloudflare of zone i (cloudflare.<zone>.<domain>)
 */
export const localTopologyOptionsSchema = z.strictObject({
  topologyFile: z.string().min(1).default(DEFAULT_TOPOLOGY_FILE),
  basePort: z
    .number()
    .int()
    .min(1024, 'must be 1024 or above (unprivileged ports)')
    .max(65_000, 'must leave room for the ports above it (at most 65000)')
    .default(4400),
  /** Multiplier for health-check intervals and the DNS TTL: 0.1 turns 10 s into 1 s. */
  timeScale: z.number().positive().max(1, 'must be at most 1 (1 = cloud timing)').default(1),
  /** Reuse a running DynamoDB Local instead of starting one (tests). */
  dynamoDbEndpoint: z.url().optional(),
  /** Write `.local/endpoints.json` (relative to the repository root unless absolute). */
  endpointsFile: z.string().min(1).nullable().default(ENDPOINTS_FILE),
  seedCatalog: z.boolean().default(true),
  /** Idle wait of the stream pollers; Lambda's event source mapping polls each shard 4 times a second. */
  streamPollIntervalMs: z.number().int().min(10).max(5000).default(250),
  /**
   * Loopback ports besides the topology's own webhook sink that webhook endpoints may target (a
   * consumer you run yourself). Every other loopback port (the edge's /control API, DynamoDB Local,
   * the cells) is refused as an SSRF target.
   */
  extraWebhookPorts: z.array(z.number().int().min(1).max(65_535)).default([]),
  /**
   * Every listener (edge, zone endpoints, cells, webhook sink) closes a connection that has not
   * delivered its whole request within this time (408), and its headers within min(10 s, this).
   * Node's default would keep a slow-body socket open for 300 s.
   */
  requestTimeoutMs: z.number().int().min(500).max(120_000).default(30_000),
  /**
   * Fence the writer of every zone the model fences (`failover.fencing: arc`) as AWS does: SIMULATED ARC
   * routing controls, the production promoter on the primary's health, failback as a control step
   * (local/writer-fencing.ts). False: every cell takes writes, failback follows the health checks.
   */
  writerFence: z.boolean().default(true),
});

export type LocalTopologyOptions = z.input<typeof localTopologyOptionsSchema>;
export type ResolvedOptions = z.output<typeof localTopologyOptionsSchema>;

export interface PortPlan {
  readonly edge: number;
  readonly webhookSink: number;
  readonly dynamoDb: number;
  zone(index: number): number;
  cell(index: number): number;
  /** Zones a CDN fronts only (local/cdn). */
  catalog(zoneIndex: number): number;
  cdn(vendor: CdnVendor, zoneIndex: number): number;
}

/**
 * The loopback ports a webhook endpoint may target in the local topology: its own sink (from the port
 * plan) and the configured extras. The cells' SSRF guard gets exactly this list.
 */
export function webhookTargetPorts(
  options: Pick<ResolvedOptions, 'basePort' | 'extraWebhookPorts'>,
): number[] {
  return [portPlan(options.basePort).webhookSink, ...options.extraWebhookPorts];
}

export function portPlan(basePort: number): PortPlan {
  return {
    edge: basePort,
    webhookSink: basePort + 1,
    dynamoDb: basePort + 2,
    zone: (index) => basePort + 10 + index,
    cell: (index) => basePort + 20 + index,
    catalog: (zoneIndex) => basePort + 30 + zoneIndex,
    cdn: (vendor, zoneIndex) => basePort + (vendor === 'cloudfront' ? 40 : 50) + zoneIndex,
  };
}
