import { z } from 'zod';

/**
 * The contract between the running local topology and its clients (the
 * drills, the load runner, the demo, tests): the endpoints file it writes and
 * the loopback-only control API it serves. SIMULATED infrastructure; the
 * handler code behind the cells is the production code.
 */

export const ENDPOINTS_FILE = '.local/endpoints.json';

export const localCellSchema = z.strictObject({
  zone: z.string(),
  region: z.string(),
  role: z.enum(['primary', 'secondary']),
  /** Base URL of the cell's API (stand-in for api.<region>.<zone>.<domain>). */
  url: z.url(),
  port: z.number().int(),
});

export const localEndpointsSchema = z.strictObject({
  /** Edge router: stand-in for Route 53 geolocation + failover (api.<domain>). */
  edge: z.url(),
  /** Loopback-only control API for drills (base URL; routes below). */
  control: z.url(),
  /** Human status page. */
  status: z.url(),
  /** Local webhook sink (records deliveries, injectable failures). */
  webhookSink: z.url(),
  dynamodb: z.url(),
  /** Multiplier applied to health-check intervals: 0.1 means 10 s in the cloud is 1 s here. */
  timeScale: z.number().positive(),
  topologyFile: z.string(),
  cells: z.array(localCellSchema),
  /** Per zone: the zone's failover endpoint (stand-in for api.<zone>.<domain>); 421 answers point here. */
  zones: z.record(z.string(), z.url()).optional(),
  pids: z.array(z.number().int()),
});

export type LocalEndpoints = z.output<typeof localEndpointsSchema>;
export type LocalCell = z.output<typeof localCellSchema>;

/**
 * Control API routes (all POST unless noted, JSON bodies, relative to `control`):
 *   GET  /control/state                               -> ControlState
 *   POST /control/cells/:zone/:region/stop             stop serving (connection refused)
 *   POST /control/cells/:zone/:region/start
 *   POST /control/cells/:zone/:region/health  {healthy: boolean}   unhealthy -> /v1/health answers 503
 *   POST /control/cells/:zone/:region/latency {ms: number}         added to every request
 *   POST /control/replication/:zone/pause
 *   POST /control/replication/:zone/resume
 *   POST /control/webhook-sink/fault {mode: 'fail', count: number} | {mode: 'gone'} | {mode: 'hang'} | {mode: 'none'}
 *   POST /control/reset                               every fault rolled back
 */
export const sinkFaultSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('fail'),
    count: z.number().int().min(1).max(10_000),
    status: z.number().int().min(400).max(599).default(500),
  }),
  z.strictObject({ mode: z.literal('gone') }),
  z.strictObject({ mode: z.literal('hang') }),
  z.strictObject({ mode: z.literal('none') }),
]);
export const cellHealthBodySchema = z.strictObject({ healthy: z.boolean() });
export const cellLatencyBodySchema = z.strictObject({ ms: z.number().int().min(0).max(60_000) });

/** One zone's replication, as /control/state reports it. */
export const replicationStateSchema = z.object({
  paused: z.boolean(),
  /** Age of the oldest unapplied write when any is pending, else the last applied write's lag. */
  lagMs: z.number().nullable(),
  /** Writes read from a stream and not yet applied to the other region (both directions). */
  pending: z.number(),
  /**
   * Both regions hold the same items (a convergence digest), when the replicator computes one.
   * Absent: unknown; quiescence then rests on `pending` alone.
   */
  converged: z.boolean().optional(),
});
export type ReplicationState = z.output<typeof replicationStateSchema>;

export const controlStateSchema = z.object({
  cells: z.array(
    z.object({
      zone: z.string(),
      region: z.string(),
      role: z.enum(['primary', 'secondary']),
      running: z.boolean(),
      forcedUnhealthy: z.boolean(),
      addedLatencyMs: z.number(),
      /** What the edge router's health checker currently believes. */
      healthy: z.boolean(),
    }),
  ),
  /** Per zone: the region the edge router currently sends that zone's traffic to. */
  serving: z.record(z.string(), z.string().nullable()),
  replication: z.record(z.string(), replicationStateSchema),
  webhookSink: z.object({ fault: sinkFaultSchema, received: z.number() }),
});
export type ControlState = z.output<typeof controlStateSchema>;
