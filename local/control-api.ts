import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { MAX_BODY_BYTES } from '../lambdas/api/http/body-limit';
import {
  type ControlState,
  cellArcBodySchema,
  cellHealthBodySchema,
  cellLatencyBodySchema,
  type RelayForeignEventsResult,
  regionLossBodySchema,
  relayForeignEventsBodySchema,
  sinkFaultSchema,
} from './contract';
import { type TokenRequest, tokenRequestSchema } from './dev-auth';
import type { ZoneConvergence } from './replicator';

/**
 * The loopback-only control API for drills (routes and bodies in
 * local/contract.ts). Bodies are validated with the contract's schemas; every
 * fault is reversible and `/control/reset` rolls all of them back.
 * Additive routes beyond the contract:
 *   POST /control/replication/:zone/lag {ms}   injects replication delay (0 removes it)
 *   GET  /control/replication/:zone/convergence -> {zone, converged, items, differing, sample}
 *        compares the zone's two tables item by item (SIMULATED global table: what "converged" means)
 *   POST /control/tokens {subject, scopes?, homeZone?, ttlSeconds?} -> {token, tokenType, expiresIn}
 *        a bearer token from the local (SIMULATED) identity provider, for demos, drills and load tests
 */

export type SinkFault = z.output<typeof sinkFaultSchema>;

export class ControlTargetError extends Error {
  override name = 'ControlTargetError';
}

/** The step cannot be taken in the topology's present state (the detail says why and what to do): 409. */
export class ControlConflictError extends Error {
  override name = 'ControlConflictError';
}

export interface TopologyControl {
  state(): ControlState;
  stopCell(zone: string, region: string): Promise<void>;
  startCell(zone: string, region: string): Promise<void>;
  setCellHealth(zone: string, region: string, healthy: boolean): void;
  setCellLatency(zone: string, region: string, ms: number): void;
  /** The cell's outbox relay stops (`false`) or goes on (`true`) reading its stream. */
  setRelayRunning(zone: string, region: string, running: boolean): Promise<void>;
  /** The cell's relay-foreign-events task over the last `windowMinutes` (default: the cloud schedule's window). */
  relayForeignEvents(zone: string, region: string, windowMinutes?: number): Promise<RelayForeignEventsResult>;
  pauseReplication(zone: string): void;
  replicationConvergence(zone: string): Promise<ZoneConvergence>;
  resumeReplication(zone: string): void;
  loseRegion(zone: string, region: string): void;
  restoreRegion(zone: string): void;
  setReplicationLag(zone: string, ms: number): void;
  setSinkFault(fault: SinkFault): void;
  /** A fenced cell's route to the ARC cluster (SIMULATED partition when false). */
  setArcReachable(zone: string, region: string, reachable: boolean): void;
  /** Fenced zone: the secondary becomes the writer (runbooks/writer-fencing.md step 1). */
  promoteZone(zone: string): Promise<void>;
  /** Fenced zone: the primary becomes the writer again, once healthy and caught up (step 2). */
  failBackZone(zone: string): Promise<void>;
  reset(): Promise<void>;
  issueToken(request: TokenRequest): Promise<{ token: string; expiresIn: number }>;
}

export const replicationLagBodySchema = z.strictObject({ ms: z.number().int().min(0).max(600_000) });

function problem(status: 400 | 403 | 404 | 409 | 413 | 415, code: string, detail: string): Response {
  return new Response(JSON.stringify({ type: `urn:local:control:${code}`, status, code, detail }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
}

/** The request's JSON body validated by `schema`, or the 400 problem to answer (also used by local/cdn/control.ts). */
export async function body<T>(request: Request, schema: z.ZodType<T>): Promise<T | Response> {
  let json: unknown;
  try {
    const text = await request.text();
    json = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return problem(400, 'invalid_json', 'the body must be JSON');
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return problem(400, 'invalid_body', detail);
  }
  return result.data;
}

const LOOPBACK_HOSTNAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The host name of a Host header value (`127.0.0.1:4400` -> `127.0.0.1`, `[::1]:4400` -> `[::1]`). */
function hostnameOf(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? '');
}

/**
 * Only the operator's own tools may drive the control API, never a web page
 * the operator happens to visit:
 * - `Host` must be a loopback name (127.0.0.1, localhost, [::1]): a DNS-rebinding page reaches the
 *   listener under its own host name and is refused;
 * - `Origin`, when a browser sends one, must be this very origin (`http://<Host>`): a cross-site
 *   request is refused, `Origin: null` (sandboxed frames, file:) included;
 * - every POST must say `Content-Type: application/json`: a browser cannot send that cross-site
 *   without a CORS preflight, which this API never grants (a `text/plain` form post is refused).
 * No boot token: the listener is loopback-only, and any local process that could read a printed
 * token from the terminal or the endpoints file could call the API anyway; the three checks close
 * the browser paths without a secret to hand to every drill, runbook and test.
 */
export function loopbackCallersOnly(): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host') ?? '';
    if (!LOOPBACK_HOSTNAMES.has(hostnameOf(host)))
      return problem(
        403,
        'foreign_host',
        `the control API answers only to Host 127.0.0.1, localhost or [::1], not ${JSON.stringify(host)} (DNS rebinding guard)`,
      );
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== `http://${host}`)
      return problem(
        403,
        'foreign_origin',
        `cross-origin requests are refused (Origin ${JSON.stringify(origin)}); call the control API from a terminal or a script`,
      );
    if (c.req.method === 'POST') {
      const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json')
        return problem(
          415,
          'unsupported_media_type',
          'POST bodies must be sent with Content-Type: application/json (an empty JSON body is {} or nothing)',
        );
    }
    await next();
    return undefined;
  };
}

export function controlRoutes(control: TopologyControl): Hono {
  const app = new Hono();
  app.use(loopbackCallersOnly());
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => problem(413, 'payload_too_large', `control bodies are at most ${MAX_BODY_BYTES} bytes`),
    }),
  );
  app.onError((error) => {
    if (error instanceof ControlTargetError) return problem(404, 'unknown_target', error.message);
    if (error instanceof ControlConflictError) return problem(409, 'not_now', error.message);
    throw error;
  });
  const ok = () => Response.json(control.state());

  app.get('/state', () => Response.json(control.state()));

  app.post('/cells/:zone/:region/stop', async (c) => {
    await control.stopCell(c.req.param('zone'), c.req.param('region'));
    return ok();
  });
  app.post('/cells/:zone/:region/start', async (c) => {
    await control.startCell(c.req.param('zone'), c.req.param('region'));
    return ok();
  });
  app.post('/cells/:zone/:region/health', async (c) => {
    const parsed = await body(c.req.raw, cellHealthBodySchema);
    if (parsed instanceof Response) return parsed;
    control.setCellHealth(c.req.param('zone'), c.req.param('region'), parsed.healthy);
    return ok();
  });
  app.post('/cells/:zone/:region/latency', async (c) => {
    const parsed = await body(c.req.raw, cellLatencyBodySchema);
    if (parsed instanceof Response) return parsed;
    control.setCellLatency(c.req.param('zone'), c.req.param('region'), parsed.ms);
    return ok();
  });
  app.post('/cells/:zone/:region/relay/stop', async (c) => {
    await control.setRelayRunning(c.req.param('zone'), c.req.param('region'), false);
    return ok();
  });
  app.post('/cells/:zone/:region/relay/start', async (c) => {
    await control.setRelayRunning(c.req.param('zone'), c.req.param('region'), true);
    return ok();
  });
  app.post('/cells/:zone/:region/relay-foreign-events', async (c) => {
    const parsed = await body(c.req.raw, relayForeignEventsBodySchema);
    if (parsed instanceof Response) return parsed;
    return Response.json(
      await control.relayForeignEvents(c.req.param('zone'), c.req.param('region'), parsed.windowMinutes),
    );
  });
  app.post('/replication/:zone/pause', (c) => {
    control.pauseReplication(c.req.param('zone'));
    return ok();
  });
  app.post('/replication/:zone/resume', (c) => {
    control.resumeReplication(c.req.param('zone'));
    return ok();
  });
  app.post('/replication/:zone/lose', async (c) => {
    const parsed = await body(c.req.raw, regionLossBodySchema);
    if (parsed instanceof Response) return parsed;
    control.loseRegion(c.req.param('zone'), parsed.region);
    return ok();
  });
  app.post('/replication/:zone/restore', (c) => {
    control.restoreRegion(c.req.param('zone'));
    return ok();
  });
  app.get('/replication/:zone/convergence', async (c) =>
    Response.json(await control.replicationConvergence(c.req.param('zone'))),
  );
  app.post('/replication/:zone/lag', async (c) => {
    const parsed = await body(c.req.raw, replicationLagBodySchema);
    if (parsed instanceof Response) return parsed;
    control.setReplicationLag(c.req.param('zone'), parsed.ms);
    return ok();
  });
  app.post('/webhook-sink/fault', async (c) => {
    const parsed = await body(c.req.raw, sinkFaultSchema);
    if (parsed instanceof Response) return parsed;
    control.setSinkFault(parsed);
    return ok();
  });
  app.post('/tokens', async (c) => {
    const parsed = await body(c.req.raw, tokenRequestSchema);
    if (parsed instanceof Response) return parsed;
    const { token, expiresIn } = await control.issueToken(parsed);
    return Response.json({ token, tokenType: 'Bearer', expiresIn });
  });
  app.post('/cells/:zone/:region/arc', async (c) => {
    const parsed = await body(c.req.raw, cellArcBodySchema);
    if (parsed instanceof Response) return parsed;
    control.setArcReachable(c.req.param('zone'), c.req.param('region'), parsed.reachable);
    return ok();
  });
  app.post('/zones/:zone/promote', async (c) => {
    await control.promoteZone(c.req.param('zone'));
    return ok();
  });
  app.post('/zones/:zone/failback', async (c) => {
    await control.failBackZone(c.req.param('zone'));
    return ok();
  });
  app.post('/reset', async () => {
    await control.reset();
    return ok();
  });
  app.notFound(() => problem(404, 'no_route', 'unknown control route; see local/contract.ts'));
  return app;
}
