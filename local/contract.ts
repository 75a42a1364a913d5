import { z } from 'zod';
import { CDN_VENDORS } from '../lib/topology/schema';

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

const cdnVendorSchema = z.enum(CDN_VENDORS);

/** A zone fronted by CDNs (SIMULATED; local/cdn/README.md). */
export const localCdnZoneSchema = z.strictObject({
  /** The steered public catalog name (stand-in for catalog.<zone>.<domain>: Route 53 between the CDNs). */
  catalog: z.url(),
  /** Each vendor's own name (stand-in for <vendor>.<zone>.<domain>): a caching proxy in front of the zone's cells. */
  vendors: z.partialRecord(cdnVendorSchema, z.url()),
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
  /** Per zone fronted by a CDN (sovereign zones have none): the steered catalog and each CDN stand-in. */
  cdn: z.record(z.string(), localCdnZoneSchema).optional(),
  pids: z.array(z.number().int()),
});

export type LocalEndpoints = z.output<typeof localEndpointsSchema>;
export type LocalCell = z.output<typeof localCellSchema>;
export type LocalCdnZone = z.output<typeof localCdnZoneSchema>;

/**
 * Control API routes (all POST unless noted, JSON bodies, relative to `control`):
 *   GET  /control/state                               -> ControlState
 *   POST /control/cells/:zone/:region/stop             stop serving (connection refused)
 *   POST /control/cells/:zone/:region/start
 *   POST /control/cells/:zone/:region/health  {healthy: boolean}   unhealthy -> /v1/health answers 503
 *   POST /control/cells/:zone/:region/latency {ms: number}         added to every request
 *   POST /control/cells/:zone/:region/relay/stop      the cell's outbox relay stops reading its stream (records wait, none lost)
 *   POST /control/cells/:zone/:region/relay/start
 *   POST /control/cells/:zone/:region/relay-foreign-events {windowMinutes?} -> RelayForeignEventsResult
 *        the cell's relay-foreign-events task run now (the runbook's step after a promotion)
 *   POST /control/replication/:zone/pause
 *   POST /control/replication/:zone/resume          also ends a region loss at once
 *   POST /control/replication/:zone/lose {region}    region loss: replication cut both ways now, writes withheld (not dropped);
 *                                                     the region's outbox relay stops with it (resumes at restore)
 *   POST /control/replication/:zone/restore          the lost region is back: withheld writes delivered (state.regionLoss.phase)
 *   POST /control/webhook-sink/fault {mode: 'fail', count: number} | {mode: 'gone'} | {mode: 'hang'} | {mode: 'none'}
 *   POST /control/cdn/:vendor/stop                     the SIMULATED CDN stops answering (connection refused), every zone it fronts
 *   POST /control/cdn/:vendor/start
 *   POST /control/cdn/:vendor/latency {ms: number}      added to every answer of that CDN
 *   POST /control/cdn/:vendor/purge {paths?: string[]}  empty its cache (all, or paths; a trailing * is a prefix)
 *   POST /control/cells/:zone/:region/arc {reachable: boolean}    fenced cell: its route to the ARC cluster (false: its fence holds
 *                                                     the last state it read for 60 s, fail static, then stops writing)
 *   POST /control/zones/:zone/promote                  fenced zone (option writerFence): the secondary's routing control ON, the primary's OFF
 *   POST /control/zones/:zone/failback                 fenced zone: the primary writes again, once healthy and caught up (else 409)
 *   POST /control/reset                               every fault rolled back (CDN faults included; caches are kept)
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
/** A fenced cell's route to the SIMULATED ARC cluster (false: partitioned; its fence fails static). */
export const cellArcBodySchema = z.strictObject({ reachable: z.boolean() });
export const cellLatencyBodySchema = z.strictObject({ ms: z.number().int().min(0).max(60_000) });
/** Latency added to every answer of a CDN: the same bounds as a cell's. */
export const cdnLatencyBodySchema = cellLatencyBodySchema;
/** CloudFront invalidation paths: start with `/`, at most one `*`, at the end (a prefix). */
export const cdnPurgeBodySchema = z.strictObject({
  paths: z
    .array(z.string().regex(/^\/[^*]*\*?$/, 'must start with / and may end with one * (a prefix)'))
    .min(1)
    .max(100)
    .optional(),
});

/** One zone's replication, as /control/state reports it. */
export const replicationStateSchema = z.object({
  paused: z.boolean(),
  /** Age of the oldest unapplied write when any is pending, else the last applied write's lag. */
  lagMs: z.number().nullable(),
  /** Writes read from a stream and not yet applied to the other region (both directions). */
  pending: z.number(),
  /**
   * Per receiving region: writes on their way to it, the age of the oldest (null when none), and how many
   * writes have been taken off its queue so far (applied, skipped as older, or superseded by a newer write of
   * the same item; a wait watches it move). A
   * fenced zone fails back only while its primary's `behindMs` is below the ReplicationLatency alarm's threshold.
   */
  toward: z
    .record(
      z.string(),
      z.object({ pending: z.number(), behindMs: z.number().nullable(), delivered: z.number() }),
    )
    .optional(),
  /**
   * Nothing pending and both regions' table digests equal: they hold the same items, as far as their streams
   * have been read. Absent (older topologies): unknown; quiescence then rests on `pending` alone.
   */
  converged: z.boolean().optional(),
  /** SIMULATED: region -> digest of its table (XOR of sha256 over key + item, kept from its stream). */
  digests: z.record(z.string(), z.string()).optional(),
  /** A SIMULATED region loss in progress or just restored (local/replicator.ts `RegionLossStats`). */
  regionLoss: z
    .object({
      region: z.string(),
      phase: z.enum(['cut', 'catching-up', 'caught-up']),
      cutAtMs: z.number(),
      withheldFromLostRegion: z.number(),
      withheldForLostRegion: z.number(),
    })
    .optional(),
});
export const regionLossBodySchema = z.strictObject({ region: z.string().min(1) });
/** The task's window ends now; DynamoDB Streams keeps a day, and so at most does a window here. */
export const relayForeignEventsBodySchema = z.strictObject({
  windowMinutes: z.number().int().min(1).max(1440).optional(),
});
/** What a relay-foreign-events run did (lambdas/outbox/takeover.ts `TakeoverResult`). */
export const relayForeignEventsResultSchema = z.object({
  examined: z.number(),
  relayed: z.number(),
  /** Webhook deliveries made by this run: events no cell had delivered yet. */
  deliveriesEnqueued: z.number(),
  failedEventIds: z.array(z.string()).readonly(),
});
export type RelayForeignEventsResult = z.output<typeof relayForeignEventsResultSchema>;
export type ReplicationState = z.output<typeof replicationStateSchema>;

/** One CDN stand-in of a zone, as /control/state reports it. */
export const cdnVendorStateSchema = z.object({
  vendor: cdnVendorSchema,
  url: z.string(),
  /** Its listener accepts connections (false after /control/cdn/:vendor/stop). */
  running: z.boolean(),
  addedLatencyMs: z.number(),
  /** What the SIMULATED Route 53 health check of this CDN's hostname believes (the check goes through the CDN to a cell). */
  healthy: z.boolean(),
  cache: z.object({
    entries: z.number(),
    hits: z.number(),
    misses: z.number(),
    /** Expired answers served (stale-while-revalidate, or stale-if-error while no cell answered). */
    stale: z.number(),
    /** Requests refused at the edge (personal-data and other paths the CDN does not front, other methods). */
    refused: z.number(),
    /** Origin fetches that failed (connection refused or timed out, 5xx). */
    originErrors: z.number(),
  }),
  /** The cells behind it and, for Cloudflare, what its pool monitors believe (CloudFront has no monitor: always true). */
  origins: z.array(z.object({ cell: z.string(), healthy: z.boolean() })),
});

/** A zone's CDNs and the steering of its catalog name between them. */
export const cdnZoneStateSchema = z.object({
  zone: z.string(),
  catalog: z.string(),
  steering: z.object({
    mode: z.enum(['weighted', 'failover', 'single']),
    weights: z.partialRecord(cdnVendorSchema, z.number()),
    primary: cdnVendorSchema.optional(),
  }),
  /** The CDNs Route 53 answers with now (all of them when every check fails: Route 53 fails open). */
  answering: z.array(cdnVendorSchema),
  vendors: z.array(cdnVendorStateSchema),
});
export type CdnZoneState = z.output<typeof cdnZoneStateSchema>;
export type CdnVendorState = z.output<typeof cdnVendorStateSchema>;

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
  /** Zones fronted by CDNs (absent: a topology without them). */
  cdn: z.array(cdnZoneStateSchema).optional(),
  /**
   * Writer fencing (option `writerFence`; absent when off): per fenced zone, the regions whose SIMULATED
   * routing control is ON (the zone's writer), the promoter's decisions and the control changes so far.
   */
  fencing: z
    .record(
      z.string(),
      z.object({
        writers: z.array(z.string()),
        promotions: z.array(
          z.object({ action: z.enum(['ignored', 'held', 'promoted']), detail: z.string() }),
        ),
        /** Every change of the zone's routing controls, oldest first: who made it and which regions were ON after. */
        changes: z.array(z.object({ at: z.string(), on: z.array(z.string()), by: z.string() })),
      }),
    )
    .optional(),
});
export type ControlState = z.output<typeof controlStateSchema>;
