import { type CdnVendor, cdnVendorsOf, type TopologyModel, type Zone } from '../../lib/topology';
import type { Drill, DrillTimings } from '../drill';
import { LocalFaultInjector } from '../injectors/local';
import {
  attemptsOutlastedOnHost,
  faultEffective,
  hostTooSlow,
  inconclusiveWhen,
  RTO_TOLERANCE_SECONDS,
} from '../metrics';
import {
  CATALOG_MIN_SUCCESS_RATE,
  CatalogReads,
  CATALOG_READS_PER_SECOND,
  catalogSuccessCriterion,
  catalogUrlOf,
  FALLBACK_ATTEMPT_TIMEOUT_MS,
  p95Ms,
  readViaSteeredName,
  readWithCdnFallback,
  readsBetween,
  steadyReads,
  successPercent,
} from '../local/catalog-reads';
import type { DrillCheck } from '../local/checks';
import type { LocalDrillContext } from '../local/context';
import { standardTimings, totalSeconds } from '../local/timings';

const NAME = 'cdn-outage';
const PERCENT = `${CATALOG_MIN_SUCCESS_RATE * 100}%`;
/** The storefronts with the client's CDN fallback read at half the DNS-only rate: enough for 99.9 %, light beside it. */
const FALLBACK_READS_PER_SECOND = CATALOG_READS_PER_SECOND / 2;

/** The two storefront populations the drill compares. */
interface Readers {
  /** Follows DNS only: every read to the steered catalog name. */
  readonly dnsOnly: CatalogReads;
  /** The channel client's CDN fallback (clients/commerce-client/cdn-catalog.ts). */
  readonly withFallback: CatalogReads;
  /** Attempts the fallback population sent to a CDN's own name. */
  readonly fallbackAttempts: () => number;
}

/**
 * The CDN the drill stops: failover steering's primary (the one that carries
 * the traffic), else the highest weight (ties: the first vendor).
 */
export function cdnToStop(model: TopologyModel, zone: Zone): CdnVendor {
  const vendors = cdnVendorsOf(model, zone);
  if (vendors.length < 2) {
    throw new Error(
      `drill ${NAME} needs a zone fronted by two CDNs; zone ${zone.name} has ${vendors.join(', ') || 'none'}. Run it with --zone <a zone both CDNs front>`,
    );
  }
  const { steering } = model.config.edge;
  if (steering.mode === 'failover') return steering.primary;
  return [...vendors].sort((a, b) => (steering.weights[b] ?? 0) - (steering.weights[a] ?? 0))[0]!;
}

/**
 * The fault lasts the steering's predicted time (Route 53's health checks
 * fail, then cached DNS answers expire: the same model figure as a cell
 * failover) plus the tolerance and a few seconds of steered traffic to judge.
 */
function timings(context: LocalDrillContext): DrillTimings {
  const steered = context.predicted.scaledSeconds + RTO_TOLERANCE_SECONDS + 4;
  const standard = standardTimings(context, cdnOutage.definition);
  return context.short
    ? { warmupSeconds: 3, faultSeconds: steered, settleSeconds: 3 }
    : { ...standard, faultSeconds: Math.max(standard.faultSeconds, steered) };
}

function cdnOutageChecks(context: LocalDrillContext, stopped: CdnVendor, readers: Readers): DrillCheck {
  const { dnsOnly: reads, withFallback } = readers;
  // Route 53's view during the fault, from the control API's state (polled once per observed second).
  let dnsDroppedStopped = false;
  // A surviving CDN whose own check fails makes Route 53 answer every record again (all unhealthy).
  const survivorsSeenUnhealthy = new Set<string>();
  return {
    async onSecond(second, phase) {
      await reads.onSecond(second, phase);
      await withFallback.onSecond(second, phase);
      if (phase !== 'fault') return;
      const zone = (await context.control.state()).cdn?.find((z) => z.zone === context.zone.name);
      if (!zone) return;
      if (!zone.answering.includes(stopped)) dnsDroppedStopped = true;
      for (const cdn of zone.vendors) {
        if (cdn.vendor !== stopped && !cdn.healthy) survivorsSeenUnhealthy.add(cdn.vendor);
      }
    },
    async verify({ faultStartMs, rollbackAtMs, summary: load }) {
      const all = await reads.stop();
      const allWithFallback = await withFallback.stop();
      if (faultStartMs === undefined) return {};
      const to = rollbackAtMs ?? Number.POSITIVE_INFINITY;
      const steady = steadyReads(all, faultStartMs);
      const inFault = readsBetween(all, faultStartMs, to);
      const sentToStopped = inFault.filter((r) => r.vendor === stopped);
      const lastToStoppedMs = Math.max(faultStartMs, ...sentToStopped.map((r) => r.atMs));
      const steered = inFault.filter((r) => r.atMs > lastToStoppedMs);
      const timeToSteerSeconds = Math.round((lastToStoppedMs - faultStartMs) / 100) / 10;
      const boundSeconds = context.predicted.scaledSeconds + RTO_TOLERANCE_SECONDS;
      const errors = inFault.filter((r) => !r.ok).length;
      // A late steer measures the host, not the steering, when the simulation could not keep its own pace:
      // - the survivor's own health check failed (nothing broke it: its checks timed out on this host), so
      //   Route 53 answered every record again;
      // - the readers managed under half their schedule (40/s; idle runs keep it), so the health checks'
      //   and DNS TTL's timers ran as late;
      // - the drill load's median request says the host was too slow (hostTooSlow).
      const windowSeconds = Number.isFinite(to) ? (to - faultStartMs) / 1000 : undefined;
      const scheduled =
        windowSeconds === undefined ? undefined : Math.round(windowSeconds * CATALOG_READS_PER_SECOND);
      const hostTooSlowToSteer =
        steered.length > 0 && survivorsSeenUnhealthy.size > 0
          ? `the surviving CDN's own health check (${[...survivorsSeenUnhealthy].join(', ')}) failed during the fault too (a check through the CDN to a cell that did not answer in time: compare the host load), so Route 53 answered every record again`
          : scheduled !== undefined && inFault.length < scheduled / 2
            ? `the host was too slow to time it: the readers made ${inFault.length} of ${scheduled} scheduled reads in the fault window, so the simulated health checks and DNS TTL ran late too`
            : hostTooSlow(load);
      const fallbackInFault = readsBetween(allWithFallback, faultStartMs, to);
      const fallbackCriterion = catalogSuccessCriterion(
        `catalog reads with the channel client's CDN fallback >= ${PERCENT} successful through the whole fault`,
        fallbackInFault,
      );
      // Reads with no answer at all (status 0) on a host whose own requests outlast an attempt say nothing of the CDNs.
      const fallbackUnanswered = fallbackInFault.filter((r) => !r.ok).every((r) => r.status === 0);
      return {
        figures: {
          catalogReadsSteady: steady.length,
          catalogReadsInFault: inFault.length,
          catalogReadErrorsInFault: errors,
          catalogSuccessPercentInFault: successPercent(inFault),
          catalogSuccessPercentAfterSteering: successPercent(steered),
          timeToSteerSeconds,
          survivingCdnsSeenUnhealthy: survivorsSeenUnhealthy.size,
          predictedTimeToSteerSeconds: context.predicted.scaledSeconds,
          catalogP95SteadyMs: p95Ms(steady),
          catalogP95InFaultMs: p95Ms(inFault),
          catalogP95AfterSteeringMs: p95Ms(steered),
          fallbackCatalogReadsInFault: fallbackInFault.length,
          fallbackCatalogErrorsInFault: fallbackInFault.filter((r) => !r.ok).length,
          fallbackCatalogSuccessPercentInFault: successPercent(fallbackInFault),
          fallbackCatalogP95SteadyMs: p95Ms(steadyReads(allWithFallback, faultStartMs)),
          fallbackCatalogP95InFaultMs: p95Ms(fallbackInFault),
          fallbackAttemptsToCdnNames: readers.fallbackAttempts(),
        },
        criteria: [
          faultEffective(
            `the stopped CDN (${stopped}) carried catalog reads before the fault and Route 53 stopped answering it`,
            steady.some((r) => r.vendor === stopped) && dnsDroppedStopped,
            `${steady.filter((r) => r.vendor === stopped).length}/${steady.length} steady-state reads went to ${stopped}; health check ${dnsDroppedStopped ? 'failed' : 'never failed'} during the fault`,
          ),
          inconclusiveWhen(
            {
              name: `reads steered away from ${stopped} within the predicted ${boundSeconds} s (health checks + DNS TTL + ${RTO_TOLERANCE_SECONDS} s)`,
              ok: steered.length > 0 && timeToSteerSeconds <= boundSeconds,
              detail: `last read sent to ${stopped} ${timeToSteerSeconds} s after the fault; ${errors} of ${inFault.length} reads failed in that window, ${steered.length} reads after it`,
            },
            hostTooSlowToSteer,
          ),
          // No read after steering (it came late, or never): nothing to judge here; the criterion above says why.
          inconclusiveWhen(
            catalogSuccessCriterion(`catalog reads after steering >= ${PERCENT} successful`, steered),
            steered.length === 0 ? 'no read after steering within the fault window' : undefined,
          ),
          inconclusiveWhen(
            fallbackCriterion,
            fallbackUnanswered
              ? (attemptsOutlastedOnHost(FALLBACK_ATTEMPT_TIMEOUT_MS, load) ?? hostTooSlow(load))
              : undefined,
          ),
        ],
        notes: [
          `Catalog reads at ${CATALOG_READS_PER_SECOND}/s through the steered catalog name (SIMULATED Route 53 between SIMULATED CDNs). Reads that resolved to ${stopped} before Route 53's health check failed and the cached DNS answers expired fail: DNS steering cannot hide that window from a client that does not retry, so the ${PERCENT} bar applies after steering and the errors inside the window are reported (catalogReadErrorsInFault).`,
          `A second population of storefronts reads at ${FALLBACK_READS_PER_SECOND}/s with the channel client's CDN fallback (the steered name, then each CDN's own name, within one read): the ${PERCENT} bar applies to it through the whole fault, steering window included.`,
        ],
      };
    },
  };
}

export const cdnOutage: Drill = {
  definition: {
    name: NAME,
    title: 'One CDN vendor down',
    hypothesis: `When one CDN vendor stops answering, Route 53's health check of that CDN fails and, once cached DNS answers expire, every catalog read is steered to the other CDN: within the predicted RTO (health checks + TTL) plus ${RTO_TOLERANCE_SECONDS} s, then >= ${PERCENT} of reads succeed, with p95 reported beside steady state. A storefront with the channel client's CDN fallback keeps >= ${PERCENT} through the whole fault.`,
    fault:
      'one CDN stops answering (local: the SIMULATED CDN stand-in refuses connections; AWS/Cloudflare: disable the Cloudflare hostname or invert the CDN health check)',
    recovery: 'hold',
    warmupSeconds: 30,
    faultSeconds: 120,
    settleSeconds: 60,
    expectations: [
      'Route 53 stops answering the stopped CDN (fault effective)',
      `reads steered to the other CDN within predicted RTO + ${RTO_TOLERANCE_SECONDS} s`,
      `catalog reads after steering >= ${PERCENT} successful`,
      `catalog reads with the client's CDN fallback >= ${PERCENT} successful through the whole fault`,
      'errors during steering and p95 (steady, fault, after steering) reported',
    ],
  },
  local: async (context) => {
    const stopped = cdnToStop(context.model, context.zone);
    const catalogUrl = catalogUrlOf(context, NAME);
    const run = timings(context);
    const fallback = readWithCdnFallback(context, NAME, context.predicted.scaledSeconds * 1000);
    const readers: Readers = {
      dnsOnly: new CatalogReads(
        context,
        readViaSteeredName(catalogUrl),
        totalSeconds(run) * CATALOG_READS_PER_SECOND,
      ),
      withFallback: new CatalogReads(
        context,
        fallback.read,
        totalSeconds(run) * FALLBACK_READS_PER_SECOND,
        FALLBACK_READS_PER_SECOND,
      ),
      fallbackAttempts: fallback.fallbackAttempts,
    };
    return {
      injectors: [new LocalFaultInjector(context.control, { kind: 'cdn-stop', vendor: stopped })],
      timings: run,
      checks: [cdnOutageChecks(context, stopped, readers)],
      notes: [
        'SIMULATED: the CDNs are local caching proxies configured from lib/ (local/cdn), Route 53 is a steering proxy with health checks and a population of resolvers caching answers for the scaled TTL.',
      ],
    };
  },
};
