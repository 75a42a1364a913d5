import { percentile } from '../../loadtests/stats';
import type { Drill } from '../drill';
import {
  attemptsOutlastedOnHost,
  type Criterion,
  faultEffective,
  HOST_TOO_SLOW_MS,
  hostTooSlow,
  inconclusiveWhen,
  RTO_TOLERANCE_SECONDS,
} from '../metrics';
import { type DrillCheck, settled } from '../local/checks';
import { ClientPopulation, type PopulationMode, populationRecovery } from '../local/client-population';
import { type LocalDrillContext, primaryCellStopped, secondaryOf } from '../local/context';
import { duplicateOrders, listCustomerOrders, seededProductId } from '../local/customer-orders';
import { standardTimings } from '../local/timings';

/** The issue's target for the client population, in cloud seconds. */
export const CLIENT_RTO_TARGET_CLOUD_SECONDS = 5;

/**
 * Attempts give up after 2 s (a blackholed cell costs this much, not 8 s). A circuit half-opens after
 * 500 ms, so the DNS population measures DNS (the edge), not the client's open circuit.
 */
const POPULATION_RESILIENCE = { attemptTimeoutMs: 2000, breakerHalfOpenAfterMs: 500 } as const;

const POPULATION_LABEL: Record<PopulationMode, string> = { dns: 'dns', 'cell-failover': 'client' };

/** Both populations: started on the first observed second, stopped and judged after the run. */
async function populations(context: LocalDrillContext): Promise<DrillCheck> {
  const productId = await seededProductId(context, 'client-failover');
  const make = async (mode: PopulationMode) => {
    const token = await context.control.token(
      `${context.runId}-${POPULATION_LABEL[mode]}`,
      context.zone.name,
    );
    const authorization = `Bearer ${token}`;
    const population = new ClientPopulation({
      mode,
      baseUrl: context.baseUrl,
      authorization,
      clients: 2,
      intervalMs: 150,
      orderEvery: 5,
      productId,
      clock: () => context.elapsedMs(),
      resilience: POPULATION_RESILIENCE,
    });
    return { mode, population, authorization };
  };
  const all = [await make('dns'), await make('cell-failover')];
  const { timeScale } = context;
  return {
    async onSecond() {
      for (const { population } of all) population.start();
    },
    async verify(check) {
      await Promise.all(all.map(({ population }) => population.stop()));
      const faultStart = check.faultStartMs ?? 0;
      const rollback = check.rollbackAtMs ?? Number.POSITIVE_INFINITY;
      const figures: Record<string, number | null> = {};
      const criteria = [];
      const notes: string[] = [];
      const seen: Record<string, ReturnType<typeof populationRecovery>> = {};
      for (const { mode, population, authorization } of all) {
        const label = POPULATION_LABEL[mode];
        const recovery = populationRecovery(population.samples, faultStart, rollback);
        seen[label] = recovery;
        const orders = (await listCustomerOrders(context, authorization)) ?? [];
        const acknowledged = population.samples.flatMap((s) => (s.orderId ? [s.orderId] : []));
        const listed = new Set(orders.map((o) => o.id));
        const rtoSeconds = recovery.rtoMs === undefined ? null : recovery.rtoMs / 1000;
        figures[`${label}PopulationRtoSeconds`] = rtoSeconds;
        // The DNS population waits out scaled health checks and TTL: its cloud time is local / scale.
        // The client's failover reacts to the failed attempt itself (no scaled timer), so its cloud
        // time is its local time (bounded by attemptTimeoutMs when a cell blackholes instead).
        figures[`${label}PopulationRtoCloudSeconds`] =
          rtoSeconds === null ? null : mode === 'dns' ? rtoSeconds / timeScale : rtoSeconds;
        figures[`${label}PopulationOperations`] = population.samples.length;
        figures[`${label}PopulationFailedAfterFault`] = recovery.failedAfterFault;
        figures[`${label}PopulationCartsRebuiltAfterRpoLoss`] = population.cartsLostToRpo;
        figures[`${label}PopulationRefusedAfterFault`] = recovery.refusedAfterFault;
        figures[`${label}PopulationRefusedNoWriter`] = recovery.refusedNoWriter;
        // The zone takes writes again at its promotion, which follows the primary's scaled health checks: its
        // cloud time is local / scale for both populations.
        const writerBackSeconds = recovery.writerBackMs === undefined ? null : recovery.writerBackMs / 1000;
        figures[`${label}PopulationWriterBackSeconds`] = writerBackSeconds;
        figures[`${label}PopulationWriterBackCloudSeconds`] =
          writerBackSeconds === null ? null : writerBackSeconds / timeScale;
        figures[`${label}PopulationOrdersAcknowledged`] = acknowledged.length;
        figures[`${label}PopulationDuplicates`] = duplicateOrders(orders);
        figures[`${label}PopulationLostOrders`] = acknowledged.filter((id) => !listed.has(id)).length;
        // An acknowledged order missing while replication had not caught up may be late, not lost.
        criteria.push(
          settled(
            {
              name: `${label} population: 0 duplicate orders, 0 lost acknowledged orders`,
              ok: duplicateOrders(orders) === 0 && acknowledged.every((id) => listed.has(id)),
              detail: `${orders.length} orders listed for ${acknowledged.length} acknowledged; ${duplicateOrders(orders)} duplicates`,
            },
            check.quiescence,
          ),
        );
        const failures = recovery.failures.slice(0, 3);
        if (failures.length > 0)
          notes.push(`${label} population failures (first 3): ${failures.map((f) => f.detail).join('; ')}`);
        if (recovery.refusedNoWriter > 0)
          notes.push(
            `${label} population: ${recovery.refusedNoWriter} orders failed on 503 not_writer before the zone took writes again (${writerBackSeconds?.toFixed(1) ?? '?'} s after the fault here, ${writerBackSeconds === null ? '?' : Math.round(writerBackSeconds / timeScale)} s in the cloud: the promotion follows the primary's health checks). No client can shorten that; a storefront shows the failure, the kiosk outbox queues the order. Not counted as failures of the client's failover.`,
          );
      }
      const client = seen.client!;
      const dns = seen.dns!;
      const predicted = context.predicted.scaledSeconds;
      // An RTO bound with seconds of tolerance cannot be judged when the host is already slow before any
      // fault (each operation in the recovery window then costs a good part of the tolerance): a missed RTO
      // bound is inconclusive then (the host, not the failover), with the figure kept. The invariants
      // (duplicates, lost orders, failed operations) are judged whatever the host's speed.
      const steadyP95Ms = percentile(
        all.flatMap(({ population }) =>
          population.samples
            .filter((s) => s.ok && s.endedMs < faultStart)
            .map((s) => s.endedMs - s.startedMs),
        ),
        95,
      );
      figures.populationSteadyP95Ms = steadyP95Ms ?? null;
      // The host can also slow down after the fault (another process starts): the drill load's median
      // request over the run says so, whatever the failover did.
      // The steady-state p95 is held to the same bound as the load's median: 431 ms with three drill test
      // files at once, 506 ms beside two busy loops, were measured here; the test still requires the client
      // to recover before the DNS-only population whenever the bounds are judged.
      const slowHost =
        (steadyP95Ms ?? 0) > HOST_TOO_SLOW_MS
          ? `the host was too slow to measure it: steady-state p95 ${Math.round(steadyP95Ms ?? 0)} ms per operation before the fault`
          : hostTooSlow(check.summary);
      const unlessHostTooSlow = (criterion: Criterion) => inconclusiveWhen(criterion, slowHost);
      criteria.push(
        faultEffective(
          'the primary outage interrupted the DNS-only population (fault effective)',
          dns.failedAfterFault > 0 || (dns.rtoMs ?? 0) > 1000 * predicted * 0.5,
          `${dns.failedAfterFault} failed operations, RTO ${((dns.rtoMs ?? 0) / 1000).toFixed(2)} s`,
        ),
        unlessHostTooSlow({
          name: `client population RTO <= ${CLIENT_RTO_TARGET_CLOUD_SECONDS} s cloud-equivalent`,
          ok: client.rtoMs !== undefined && client.rtoMs / 1000 <= CLIENT_RTO_TARGET_CLOUD_SECONDS,
          detail: `${client.rtoMs === undefined ? 'never recovered' : `${(client.rtoMs / 1000).toFixed(3)} s`}`,
        }),
        inconclusiveWhen(
          {
            name: 'client population: no operation failed after the fault (orders refused before the promotion aside)',
            ok: client.failedAfterFault === 0 && client.operationsAfterFault > 0,
            detail: `${client.failedAfterFault}/${client.operationsAfterFault} failed`,
          },
          client.operationsAfterFault > 0
            ? attemptsOutlastedOnHost(POPULATION_RESILIENCE.attemptTimeoutMs, check.summary)
            : undefined,
        ),
        unlessHostTooSlow({
          name: `DNS population RTO <= predicted + ${RTO_TOLERANCE_SECONDS} s`,
          ok: dns.rtoMs !== undefined && dns.rtoMs / 1000 <= predicted + RTO_TOLERANCE_SECONDS,
          detail: `${dns.rtoMs === undefined ? 'never recovered' : `${(dns.rtoMs / 1000).toFixed(2)} s`} (predicted ${predicted} s here, ${context.predicted.cloudSeconds} s in the cloud)`,
        }),
      );
      return { figures, criteria, notes };
    },
  };
}

export const clientFailover: Drill = {
  definition: {
    name: 'client-failover',
    title: 'Channel clients across a primary cell outage: DNS-only vs cell failover',
    hypothesis: `When the primary cell of the zone stops, clients that only follow DNS are interrupted until health checks and TTL move the zone (the topology's predicted RTO), while the channel client moves to the zone's other cell inside the failing call: it recovers within ${CLIENT_RTO_TARGET_CLOUD_SECONDS} s cloud-equivalent with no failed request, and no population places an order twice. In a fenced zone, writes wait for the promotion (the secondary answers 503 not_writer until the promoter runs on the primary's health-check alarm) whatever the client: orders refused in that window are counted apart, with the time the zone took writes again.`,
    fault: 'primary cell stopped (local: connections refused)',
    recovery: 'failover',
    warmupSeconds: 30,
    faultSeconds: 180,
    settleSeconds: 60,
    expectations: [
      `client population RTO <= ${CLIENT_RTO_TARGET_CLOUD_SECONDS} s cloud-equivalent, 0 failed operations (orders refused 503 not_writer before the zone's promotion reported apart)`,
      `DNS-only population RTO <= predicted RTO + ${RTO_TOLERANCE_SECONDS} s`,
      '0 duplicate and 0 lost orders in both populations (independent read of the orders)',
    ],
  },
  local: async (context) => {
    secondaryOf(context, 'client-failover');
    return {
      ...primaryCellStopped(context),
      timings: standardTimings(context, clientFailover.definition),
      checks: [await populations(context)],
      notes: [
        'SIMULATED: the edge stands in for Route 53 (scaled health checks and TTL); a stopped cell refuses connections at once, so the client population detects it at once. A cell that blackholes instead costs the client attemptTimeoutMs (2 s in this drill) before it moves.',
        'Populations: 2 clients each, one operation every 150 ms, every 5th an order (cart, line, checkout with one key per step); DNS = the same client with cellFailover: false.',
      ],
    };
  },
};
