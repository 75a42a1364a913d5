import { PUBLIC_CATALOG_STALE_IF_ERROR_SECONDS } from '../../lambdas/core/data-classification';
import { IDEMPOTENCY_HEADER } from '../../loadtests/flow';
import { cacheTtls, deadOriginBoundMs } from '../../local/cdn/vendor-rules';
import type { Drill, DrillTimings } from '../drill';
import { LocalFaultInjector } from '../injectors/local';
import { faultEffective } from '../metrics';
import {
  CATALOG_MIN_SUCCESS_RATE,
  CATALOG_READS_PER_SECOND,
  CatalogReads,
  catalogSuccessCriterion,
  catalogUrlOf,
  p95Ms,
  readViaSteeredName,
  readsBetween,
  steadyReads,
  successPercent,
  warmCdnCaches,
} from '../local/catalog-reads';
import type { DrillCheck } from '../local/checks';
import type { LocalDrillContext } from '../local/context';
import { secondaryOf } from '../local/context';
import { AcknowledgedOrders } from '../local/orders';
import { standardTimings, totalSeconds } from '../local/timings';

const NAME = 'zone-outage-read-path';
const PERCENT = `${CATALOG_MIN_SUCCESS_RATE * 100}%`;
const PROBLEM_JSON = 'application/problem+json';

/** One write the drill sends while the zone is down: how it was answered, and how fast. */
interface WriteProbe {
  readonly target: 'zone API' | 'CDN';
  readonly status: number;
  readonly contentType: string | null;
  readonly code: string | undefined;
  readonly latencyMs: number;
}

/**
 * The fault outlasts the catalog's freshness on every CDN (the cache policy's
 * maximum TTL, scaled), so reads during it must be served stale, not fresh.
 */
function timings(context: LocalDrillContext): DrillTimings {
  const pastFreshness = cacheTtls(context.model).maxSeconds * context.timeScale + 4;
  const standard = standardTimings(context, zoneOutageReadPath.definition);
  return context.short
    ? { warmupSeconds: 3, faultSeconds: pastFreshness, settleSeconds: 3 }
    : { ...standard, faultSeconds: Math.max(standard.faultSeconds, pastFreshness) };
}

async function probeWrite(
  target: WriteProbe['target'],
  url: string,
  headers: Readonly<Record<string, string>>,
  boundMs: number,
): Promise<WriteProbe> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{}',
      // Far beyond the bound: a hung write shows as a slow one, not as an abort at the bound.
      signal: AbortSignal.timeout(boundMs * 5),
    });
    const text = await response.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { code?: string }).code;
    } catch {
      code = undefined;
    }
    return {
      target,
      status: response.status,
      contentType: response.headers.get('content-type'),
      code,
      latencyMs: performance.now() - started,
    };
  } catch {
    return { target, status: 0, contentType: null, code: undefined, latencyMs: performance.now() - started };
  }
}

function zoneOutageChecks(context: LocalDrillContext, catalogUrl: string, reads: CatalogReads): DrillCheck {
  const probes: WriteProbe[] = [];
  const boundMs = deadOriginBoundMs(context.model);
  return {
    async onSecond(second, phase) {
      await reads.onSecond(second, phase);
      if (phase !== 'fault') return;
      const key = `${context.runId}-outage-${second}`;
      probes.push(
        await probeWrite(
          'zone API',
          `${context.baseUrl}/v1/carts`,
          { ...context.shopperHeaders, [IDEMPOTENCY_HEADER]: key },
          boundMs,
        ),
        await probeWrite('CDN', `${catalogUrl}/v1/products`, {}, boundMs),
      );
    },
    async verify({ faultStartMs, rollbackAtMs }) {
      const all = await reads.stop();
      if (faultStartMs === undefined) return {};
      const steady = steadyReads(all, faultStartMs);
      const inFault = readsBetween(all, faultStartMs, rollbackAtMs ?? Number.POSITIVE_INFINITY);
      const stale = inFault.filter((r) => r.ok && r.cache === 'STALE');
      const maxAge = Math.max(0, ...inFault.filter((r) => r.ok).map((r) => r.ageSeconds ?? 0));
      const zoneWrites = probes.filter((p) => p.target === 'zone API');
      const cdnWrites = probes.filter((p) => p.target === 'CDN');
      const slowest = Math.round(Math.max(0, ...probes.map((p) => p.latencyMs)));
      const refusedClearly = (p: WriteProbe) =>
        p.status >= 400 && p.contentType?.startsWith(PROBLEM_JSON) === true && p.code !== undefined;
      const describe = (list: readonly WriteProbe[]) =>
        [...new Set(list.map((p) => `${p.status} ${p.code ?? p.contentType ?? 'no answer'}`))].join(', ') ||
        'none';
      return {
        figures: {
          catalogReadsSteady: steady.length,
          catalogReadsInFault: inFault.length,
          catalogReadErrorsInFault: inFault.filter((r) => !r.ok).length,
          catalogSuccessPercentInFault: successPercent(inFault),
          catalogStaleReadsInFault: stale.length,
          catalogMaxAgeServedSeconds: maxAge,
          catalogP95SteadyMs: p95Ms(steady),
          catalogP95InFaultMs: p95Ms(inFault),
          writeProbesInFault: probes.length,
          slowestWriteProbeMs: slowest,
        },
        criteria: [
          faultEffective(
            'both cells of the zone were down (writes to the zone reached no cell)',
            zoneWrites.length > 0 && zoneWrites.every((p) => p.status >= 500),
            `${zoneWrites.length} writes to ${context.baseUrl} during the outage answered ${describe(zoneWrites)}`,
          ),
          catalogSuccessCriterion(
            `catalog reads through the CDNs >= ${PERCENT} successful during the outage`,
            inFault,
          ),
          {
            name: 'the catalog is served stale by the CDNs, with its age',
            ok: stale.length > 0,
            detail: `${stale.length} of ${inFault.length} reads answered x-cache STALE; oldest Age ${maxAge} cloud s (stale-if-error allows ${PUBLIC_CATALOG_STALE_IF_ERROR_SECONDS} s)`,
          },
          {
            name: `writes fail fast with problem+json (each within ${boundMs} ms, none hung)`,
            ok: probes.length > 0 && probes.every((p) => refusedClearly(p) && p.latencyMs <= boundMs),
            detail: `zone API: ${describe(zoneWrites)}; through a CDN: ${describe(cdnWrites)}; slowest ${slowest} ms`,
          },
        ],
      };
    },
  };
}

export const zoneOutageReadPath: Drill = {
  definition: {
    name: NAME,
    title: 'Both cells of a zone down: the read path survives',
    hypothesis: `With both cells of a zone down, the CDNs keep serving the public catalog from cache, stale (stale-if-error), with its Age: >= ${PERCENT} of catalog reads succeed; writes are refused at once with a problem+json (the zone API's cell_unreachable, a CDN's method_not_allowed_by_cdn), never left hanging; no acknowledged write is lost.`,
    fault:
      "both cells of the zone stopped (local: connections refused; AWS: both regions' health checks inverted or the drill flag on both cells)",
    recovery: 'hold',
    warmupSeconds: 30,
    faultSeconds: 120,
    settleSeconds: 60,
    expectations: [
      `catalog reads through the CDNs >= ${PERCENT} successful during the outage`,
      'catalog answers served STALE with their Age reported',
      "writes answered 4xx/5xx problem+json within the CDNs' dead-origin bound",
      '0 lost acknowledged writes',
    ],
  },
  local: async (context) => {
    const secondary = secondaryOf(context, NAME);
    const catalogUrl = catalogUrlOf(context, NAME);
    const run = timings(context);
    const warmed = await warmCdnCaches(context, NAME);
    context.log(`CDN caches warmed: ${warmed} catalog pages across the zone's CDNs`);
    const reads = new CatalogReads(
      context,
      readViaSteeredName(catalogUrl),
      totalSeconds(run) * CATALOG_READS_PER_SECOND,
    );
    return {
      injectors: [
        new LocalFaultInjector(context.control, {
          kind: 'cell-stop',
          zone: context.zone.name,
          region: context.zone.primary.region,
        }),
        new LocalFaultInjector(context.control, {
          kind: 'cell-stop',
          zone: context.zone.name,
          region: secondary.region,
        }),
      ],
      timings: run,
      checks: [zoneOutageChecks(context, catalogUrl, reads), new AcknowledgedOrders(context)],
      notes: [
        'SIMULATED: stopping a local cell closes its API listener; the CDN stand-ins (local/cdn) then find no origin and serve what they cached, as CloudFront and Cloudflare do with stale-if-error.',
        'The shopper load keeps hitting the zone API during the outage; its failures are expected and counted in the load figures.',
      ],
    };
  },
};
