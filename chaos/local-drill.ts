import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { keys } from '../lambdas/adapters/table';
import { commerceTableName } from '../lambdas/adapters/table-definitions';
import { SHOPPER_FLOW } from '../loadtests/flow';
import { type LoadProfile, PROFILES, scaleProfile } from '../loadtests/profiles';
import { type LoadRun, startLoad } from '../loadtests/runner';
import { WEBHOOKS_SCOPE } from '../lambdas/api/routes/webhooks';
import { localDynamoClient } from '../local/dynamodb-local';
import type { LocalTopology } from '../local/topology';
import { type Zone, zoneByName } from '../lib/topology';
import { DRILLS, type DrillName } from './catalog';
import { LocalControlClient, type LocalFault, LocalFaultInjector } from './injectors/local';
import { PaymentHangFault } from './injectors/payment-mode';
import {
  type CanaryWrite,
  type Criterion,
  lostAcknowledgedWrites,
  MIN_SUCCESS_PERCENT,
  measureRpo,
  minSuccessCriterion,
  predictedRto,
  replicationLagAt,
  successDuringFault,
} from './metrics';
import type { DrillPlan, LoadDriver, Verifier } from './orchestrator';

/**
 * Drills on the local topology (SIMULATED infrastructure, production handler
 * code): which local fault carries each catalog drill, the load, the
 * steady-state checks and the drill-specific verification (canaries, lost
 * acknowledged writes). Everything goes through the topology's public
 * surfaces: the zone endpoint, the control API, the cells' tables.
 */

export interface LocalDrillOptions {
  readonly drill: DrillName;
  readonly zone: string;
  /** Shorter phases for CI (RTO bounds unchanged). */
  readonly short: boolean;
  /** Shopper-flow iterations per second (each is up to 5 requests). */
  readonly ratePerSecond: number;
  readonly log?: (line: string) => void;
}

/** Which local fault stands in for each drill's fault; undefined when the local topology cannot express it yet. */
function localFault(drill: DrillName, zone: Zone): LocalFault | undefined {
  switch (drill) {
    case 'region-failover':
      return { kind: 'cell-stop', zone: zone.name, region: zone.primary.region };
    case 'failback':
      return { kind: 'cell-unhealthy', zone: zone.name, region: zone.primary.region };
    case 'replication-pause':
      return { kind: 'replication-pause', zone: zone.name };
    case 'webhook-consumer-outage':
      // 500, not 503: a 503 is a back-off status and would add Retry-After semantics to what is drilled.
      return { kind: 'webhook-sink', fault: { mode: 'fail', count: 10_000, status: 500 } };
    case 'dependency-latency':
      return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]!);
      }
    }),
  );
  return results;
}

/** Canary items written straight to a cell's table; acknowledged = the PutItem succeeded. */
class Canaries {
  readonly written: (CanaryWrite & { readonly phase: string })[] = [];
  private n = 0;

  constructor(
    private readonly topology: LocalTopology,
    private readonly tableName: string,
    private readonly runId: string,
  ) {}

  private key(id: string) {
    return { pk: { S: `DRILL#canary#${this.runId}` }, sk: { S: id } };
  }

  async write(region: string, atMs: () => number, phase: string): Promise<void> {
    const id = String(this.n++).padStart(5, '0');
    const client = localDynamoClient(this.topology.endpoints.dynamodb, region);
    try {
      await client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...this.key(id), note: { S: 'drill canary' } },
        }),
      );
      this.written.push({ id, acknowledgedAtMs: atMs(), phase });
    } catch {
      // Not acknowledged: not a canary.
    } finally {
      client.destroy();
    }
  }

  async presentIn(region: string, ids: readonly string[]): Promise<Set<string>> {
    const client = localDynamoClient(this.topology.endpoints.dynamodb, region);
    try {
      const found = await mapLimited(ids, 8, async (id) => {
        const { Item } = await client.send(
          new GetItemCommand({ TableName: this.tableName, Key: this.key(id), ConsistentRead: true }),
        );
        return Item ? id : undefined;
      });
      return new Set(found.filter((id): id is string => id !== undefined));
    } finally {
      client.destroy();
    }
  }
}

export async function localDrillPlan(
  topology: LocalTopology,
  options: LocalDrillOptions,
): Promise<DrillPlan> {
  const definition = DRILLS[options.drill];
  const { model } = topology;
  const zone = zoneByName(model, options.zone);
  const fault = localFault(options.drill, zone);
  const paymentHang = options.drill === 'dependency-latency' ? new PaymentHangFault() : undefined;
  if (!zone.secondary) {
    throw new Error(
      `drill ${options.drill} needs a zone with a secondary cell; zone ${zone.name} is single-region`,
    );
  }
  const timeScale = topology.endpoints.timeScale;
  const control = new LocalControlClient(topology.endpoints.control);
  const baseUrl = topology.endpoints.zones?.[zone.name] ?? topology.endpoints.edge;
  const token = await control.token('drill-shopper', zone.name);
  const headers = { authorization: `Bearer ${token}` };
  const webhookPath = `/drill/${options.drill}-${Date.now().toString(36)}`;
  if (options.drill === 'webhook-consumer-outage') {
    const operator = await control.token('drill-operator', zone.name, [WEBHOOKS_SCOPE]);
    const created = await fetch(`${baseUrl}/v1/webhooks/endpoints`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${operator}`,
        'content-type': 'application/json',
        'idempotency-key': `drill-endpoint-${webhookPath}`,
      },
      body: JSON.stringify({
        url: `${topology.endpoints.webhookSink}${webhookPath}`,
        eventTypes: ['order.v1.placed'],
      }),
    });
    if (created.status !== 201) {
      throw new Error(
        `registering the drill webhook endpoint answered ${created.status}: ${await created.text()}`,
      );
    }
  }
  const predicted = predictedRto(model.config, timeScale);
  const primaryCell = `${zone.name}/${zone.primary.region}`;
  const secondaryRegion = zone.secondary?.region;
  const log = options.log ?? (() => undefined);

  // Phases in drill time: the catalog's cloud seconds scaled, and never shorter than failover plus failback need.
  const scaled = (s: number) => s * timeScale;
  const recoveryRoom = predicted.scaledSeconds + 6;
  // The webhook outage stays shorter than the schedule's second retry (5 s): every delivery's second
  // attempt lands after the consumer recovered. Longer outages reach the 5-minute step and the DLQ, which
  // the dispatcher's tests cover with a fake clock.
  const webhookTimings = {
    warmupSeconds: options.short ? 3 : 5,
    faultSeconds: 3,
    settleSeconds: options.short ? 10 : 15,
  };
  const timings =
    options.drill === 'webhook-consumer-outage'
      ? webhookTimings
      : options.short
        ? {
            warmupSeconds: 3,
            faultSeconds: definition.recovery === 'failover' ? recoveryRoom : 5,
            settleSeconds: definition.recovery === 'failover' ? recoveryRoom : 4,
          }
        : {
            warmupSeconds: Math.max(5, scaled(definition.warmupSeconds)),
            faultSeconds: Math.max(recoveryRoom, scaled(definition.faultSeconds)),
            settleSeconds: Math.max(recoveryRoom, scaled(definition.settleSeconds)),
          };
  const totalSeconds = Math.ceil(timings.warmupSeconds + timings.faultSeconds + timings.settleSeconds + 10);
  const profile: LoadProfile = {
    ...PROFILES.load,
    startRate: options.ratePerSecond,
    stages: [{ durationSeconds: totalSeconds, target: options.ratePerSecond }],
    maxInFlight: 50,
    maxIterations: Math.ceil(options.ratePerSecond * totalSeconds * 1.1),
  };

  let run: LoadRun | undefined;
  const elapsed = () => run?.elapsedMs() ?? 0;
  const load: LoadDriver = {
    start: ({ onSecond, onAcknowledged }) => {
      run = startLoad({
        ...(paymentHang ? { iterationDefaults: () => ({ paymentMethod: paymentHang.paymentMethod() }) } : {}),
        baseUrl,
        profile,
        flow: SHOPPER_FLOW,
        headers,
        onSecond,
        onAcknowledged,
        runId: `drill-${Date.now().toString(36)}`,
      });
      return run;
    },
  };

  const steadyState = async (): Promise<Criterion[]> => {
    const checks: Criterion[] = [];
    for (const cell of topology.endpoints.cells.filter((c) => c.zone === zone.name)) {
      const status = await fetch(`${cell.url}/v1/health`, { signal: AbortSignal.timeout(3000) })
        .then((r) => r.status)
        .catch(() => 0);
      checks.push({
        name: `steady state: ${cell.zone}/${cell.region} healthy`,
        ok: status === 200,
        detail: `GET /v1/health -> ${status}`,
      });
    }
    // Warm-up, not measured: the first requests after boot pay for JIT compilation and connection setup.
    for (let i = 0; i < 3; i++) {
      await startLoad({
        baseUrl,
        profile: { ...PROFILES.smoke, startRate: 5, maxIterations: 5 },
        flow: SHOPPER_FLOW,
        headers,
      }).done;
    }
    const smoke = await startLoad({
      baseUrl,
      profile: scaleProfile(PROFILES.smoke, { duration: 0.1, rate: 1 }),
      flow: SHOPPER_FLOW,
      headers,
    }).done;
    // The profile's latency thresholds are cloud SLOs; on a shared loopback machine only errors gate the
    // steady state, and the latency is reported beside it.
    const errorsOk = smoke.thresholds.find((t) => t.name === 'errorRate')?.ok === true;
    checks.push({
      name: 'steady state: smoke load without errors',
      ok: errorsOk && smoke.requests > 0,
      detail: `${smoke.requests} requests, error rate ${smoke.errorRate}, p99 ${smoke.p99Ms} ms, served by ${Object.keys(smoke.servedBy).join(', ')}`,
    });
    return checks;
  };

  const observer = async () => {
    const state = topology.state();
    const serving = state.serving[zone.name];
    return {
      routedTo: serving ? `${zone.name}/${serving}` : null,
      replicationLagMs: state.replication[zone.name]?.lagMs ?? null,
    };
  };

  const tableName = commerceTableName(model.appName, zone.name);
  const canaries = new Canaries(topology, tableName, `${options.drill}-${Date.now().toString(36)}`);
  let maxMissingDuringFault = 0;
  const verifier: Verifier = {
    async onSecond(_second, phase) {
      const writesCanaries =
        phase === 'steady' || (options.drill === 'replication-pause' && phase === 'fault');
      if (writesCanaries) await canaries.write(zone.primary.region, elapsed, phase);
      if (options.drill === 'replication-pause' && phase === 'fault' && secondaryRegion) {
        const duringFault = canaries.written.filter((c) => c.phase === 'fault').map((c) => c.id);
        const present = await canaries.presentIn(secondaryRegion, duringFault);
        maxMissingDuringFault = Math.max(maxMissingDuringFault, duringFault.length - present.size);
      }
    },
    async verify(context) {
      const criteria: Criterion[] = [];
      const notes: string[] =
        options.drill === 'region-failover'
          ? [
              'SIMULATED: stopping a local cell closes its API listener; its table and the replicator keep running, so the local RPO measures the replicator, not the loss of a region.',
            ]
          : [];
      // Let replication settle before reading the survivor (both directions run locally).
      const ids = canaries.written.map((c) => c.id);
      let present = new Set<string>();
      for (let attempt = 0; attempt < 60 && secondaryRegion; attempt++) {
        present = await canaries.presentIn(secondaryRegion, ids);
        if (present.size === ids.length) break;
        await sleep(250);
      }
      const faultStartMs = context.faultStartMs ?? Number.POSITIVE_INFINITY;
      const rpo = measureRpo(
        canaries.written,
        present,
        faultStartMs,
        replicationLagAt(context.timeline, faultStartMs),
      );
      const beforeFault = canaries.written.filter((c) => c.acknowledgedAtMs < faultStartMs).length;
      criteria.push({
        name: 'canary writes acknowledged before the fault are in the surviving cell',
        ok: rpo.missingInSurvivor.length === 0,
        detail: `${beforeFault - rpo.missingInSurvivor.length}/${beforeFault} present in ${secondaryRegion}`,
      });

      const acknowledgedOrders = context.acknowledged.filter(
        (ack) => ack.step === 'checkout' && ack.state.orderId,
      );
      const orders = acknowledgedOrders.map((ack) => ack.state.orderId!);
      const readStatus = async (id: string) => {
        const response = await fetch(`${baseUrl}/v1/orders/${id}`, {
          headers,
          signal: AbortSignal.timeout(5000),
        }).catch(() => undefined);
        await response?.arrayBuffer();
        return response?.status ?? 0;
      };
      const unreadable = async (ids: readonly string[]) =>
        (await mapLimited(ids, 8, async (id) => ((await readStatus(id)) === 200 ? undefined : id))).filter(
          (id): id is string => id !== undefined,
        );
      // A write acknowledged by the secondary during the failover reaches the primary through replication:
      // give it a few seconds before calling it lost.
      let missing = await unreadable(orders);
      for (let attempt = 0; attempt < 10 && missing.length > 0; attempt++) {
        await sleep(500);
        missing = await unreadable(missing);
      }
      const lost = lostAcknowledgedWrites(orders, new Set(orders.filter((id) => !missing.includes(id))));
      for (const id of lost.slice(0, 10)) {
        const ack = acknowledgedOrders.find((a) => a.state.orderId === id)!;
        const where = await Promise.all(
          zone.cells.map(async (cell) => {
            const client = localDynamoClient(topology.endpoints.dynamodb, cell.region);
            try {
              const { Item } = await client.send(
                new GetItemCommand({
                  TableName: tableName,
                  Key: { pk: { S: keys.order(id).pk }, sk: { S: keys.order(id).sk } },
                  ConsistentRead: true,
                }),
              );
              return `${cell.region}: ${Item ? 'present' : 'absent'}`;
            } finally {
              client.destroy();
            }
          }),
        );
        notes.push(
          `lost order ${id}: acknowledged at ${(ack.atMs / 1000).toFixed(1)} s (fault ${((context.faultStartMs ?? 0) / 1000).toFixed(1)} s to ${((context.rollbackAtMs ?? 0) / 1000).toFixed(1)} s); GET answers ${await readStatus(id)}; table ${where.join(', ')}`,
        );
      }
      criteria.push({
        name: '0 lost acknowledged writes',
        ok: lost.length === 0,
        detail: `${orders.length - lost.length}/${orders.length} acknowledged orders readable afterwards${lost.length ? `; lost: ${lost.slice(0, 5).join(', ')}` : ''}`,
      });

      if (options.drill === 'replication-pause') {
        criteria.push({
          name: 'every canary written during the pause reached the secondary after resume',
          ok: present.size === ids.length,
          detail: `${present.size}/${ids.length} canaries in ${secondaryRegion}`,
        });
        criteria.push(
          minSuccessCriterion(
            `primary serves >= ${MIN_SUCCESS_PERCENT} during the pause`,
            successDuringFault(context.timeline, context.faultStartMs, context.rollbackAtMs),
          ),
        );
        criteria.push({
          name: 'the pause held writes back (fault effective)',
          ok: maxMissingDuringFault > 0,
          detail: `up to ${maxMissingDuringFault} canary writes were not yet in ${secondaryRegion} during the pause`,
        });
      }
      const dependencyFigures: Record<string, number | undefined> = {};
      const webhookFigures: Record<string, number | undefined> = {};
      if (options.drill === 'dependency-latency' && run && context.faultStartMs !== undefined) {
        const from = context.faultStartMs;
        const to = context.rollbackAtMs ?? Number.POSITIVE_INFINITY;
        const samples = run.samples();
        const inFault = samples.filter((x) => x.atMs >= from && x.atMs < to);
        const checkouts = inFault.filter((x) => x.step === 'checkout');
        const hung = checkouts.filter((x) => x.status === 0).length;
        const others = inFault.filter((x) => x.step !== 'checkout');
        // The circuit breaker stays open for its own period after the provider recovers: probe until a
        // checkout with the default payment method succeeds (bounded), rather than assume its duration.
        let recoveredAfterMs: number | undefined;
        for (let attempt = 0; attempt < 60 && recoveredAfterMs === undefined; attempt++) {
          const probe = await startLoad({
            baseUrl,
            profile: { ...PROFILES.smoke, startRate: 10, maxIterations: 1 },
            flow: SHOPPER_FLOW,
            headers,
          }).done;
          if (probe.failures === 0 && probe.requests === SHOPPER_FLOW.length)
            recoveredAfterMs = run.elapsedMs() - to;
          else await sleep(1000);
        }
        criteria.push(
          {
            name: 'checkout fails fast instead of hanging (no client timeout)',
            ok: checkouts.length > 0 && hung === 0,
            detail: `${checkouts.length} checkouts during the fault: ${checkouts.filter((x) => x.status === 503).length} answered 503, ${hung} hung until the client gave up; slowest ${Math.round(Math.max(0, ...checkouts.map((x) => x.latencyMs)))} ms`,
          },
          minSuccessCriterion(`requests other than checkout unaffected (>= ${MIN_SUCCESS_PERCENT} success)`, {
            requests: others.length,
            succeeded: others.filter((x) => x.ok).length,
          }),
          {
            name: 'checkout succeeds again after rollback',
            ok: recoveredAfterMs !== undefined,
            detail:
              recoveredAfterMs === undefined
                ? 'no successful checkout within 60 probes'
                : `first successful checkout ${(recoveredAfterMs / 1000).toFixed(1)} s after rollback (circuit breaker closed again)`,
          },
        );
        dependencyFigures.checkoutRecoverySeconds =
          recoveredAfterMs === undefined ? undefined : Math.round(recoveredAfterMs / 100) / 10;
      }
      if (options.drill === 'webhook-consumer-outage') {
        const orderIdOf = (body: string) => {
          try {
            return (JSON.parse(body) as { aggregate?: { id?: string } }).aggregate?.id;
          } catch {
            return undefined;
          }
        };
        const mine = () => topology.webhookSink.deliveries().filter((d) => d.path === webhookPath);
        const delivered = () =>
          new Set(
            mine()
              .filter((d) => d.status !== null && d.status >= 200 && d.status < 300)
              .map((d) => orderIdOf(d.body)),
          );
        // Retries land 5 s (+-10 %) after the first failure: wait for them, bounded.
        for (let attempt = 0; attempt < 40 && orders.some((id) => !delivered().has(id)); attempt++)
          await sleep(500);
        const deliveries = mine();
        const failedAttempts = deliveries.filter((d) => d.status === null || d.status >= 400).length;
        const successes = deliveries.filter((d) => d.status !== null && d.status >= 200 && d.status < 300);
        const perWebhookId = new Map<string, number>();
        for (const d of successes)
          perWebhookId.set(d.webhookId ?? '?', (perWebhookId.get(d.webhookId ?? '?') ?? 0) + 1);
        const duplicates = [...perWebhookId.values()].reduce((n, c) => n + c - 1, 0);
        const undelivered = orders.filter((id) => !delivered().has(id));
        const effectsPerOrder = new Map<string, Set<string>>();
        for (const d of successes) {
          const order = orderIdOf(d.body);
          if (!order) continue;
          const ids = effectsPerOrder.get(order) ?? new Set<string>();
          ids.add(d.webhookId ?? '?');
          effectsPerOrder.set(order, ids);
        }
        const multiEffect = [...effectsPerOrder.entries()]
          .filter(([, ids]) => ids.size > 1)
          .map(([order]) => order);
        criteria.push(
          {
            name: 'the outage made deliveries fail (fault effective)',
            ok: failedAttempts > 0,
            detail: `${failedAttempts} delivery attempts failed at the consumer`,
          },
          {
            name: 'every acknowledged order has its order.v1.placed delivered after the outage',
            ok: orders.length > 0 && undelivered.length === 0,
            detail: `${orders.length - undelivered.length}/${orders.length} delivered${undelivered.length ? `; missing: ${undelivered.slice(0, 5).join(', ')}` : ''}`,
          },
          {
            name: 'exactly one effect per event at the consumer (dedupe by webhook-id)',
            ok: multiEffect.length === 0,
            detail: `${perWebhookId.size} webhook-ids applied for ${effectsPerOrder.size} orders; ${duplicates} duplicate deliveries deduped${multiEffect.length ? `; orders with several webhook-ids: ${multiEffect.slice(0, 5).join(', ')}` : ''}`,
          },
        );
        criteria.push(
          minSuccessCriterion(
            `API unaffected by the consumer outage (>= ${MIN_SUCCESS_PERCENT} success)`,
            successDuringFault(context.timeline, context.faultStartMs, context.rollbackAtMs),
          ),
        );
        webhookFigures.webhookFailedAttempts = failedAttempts;
        webhookFigures.webhookDuplicatesDeduped = duplicates;
        webhookFigures.webhookUndelivered = undelivered.length;
      }
      if (options.drill === 'failback') {
        const failed = context.timeline.reduce((n, b) => n + (b.count - b.success), 0);
        criteria.push({
          name: '0 failed requests in a planned failover and failback',
          ok: failed === 0,
          detail: `${failed} failed`,
        });
      }
      log(`verified: ${criteria.map((c) => `${c.ok ? 'ok' : 'FAILED'} ${c.name}`).join('; ')}`);
      return {
        figures: {
          rpoMs: rpo.rpoMs,
          replicationLagAtFaultMs: rpo.replicationLagAtFaultMs,
          canaryWritesBeforeFault: beforeFault,
          missingInSurvivor: rpo.missingInSurvivor.length,
          acknowledgedWrites: orders.length,
          lostAcknowledgedWrites: lost.length,
          ...(options.drill === 'replication-pause'
            ? { maxCanariesBehindDuringPause: maxMissingDuringFault }
            : {}),
          ...dependencyFigures,
          ...webhookFigures,
        },
        criteria,
        notes,
      };
    },
  };

  return {
    definition,
    environment: 'local',
    timeScale,
    injectors: [paymentHang ?? new LocalFaultInjector(control, fault!)],
    ...(definition.recovery === 'failover' ? { failedCell: primaryCell } : {}),
    load,
    steadyState,
    observer,
    verifier,
    predicted,
    rtoToleranceSeconds: 2,
    // A failover drill expects errors until the router moves; the budget only stops a runaway.
    errorBudget: Math.ceil(options.ratePerSecond * 5 * (timings.faultSeconds + 5)),
    wallClockLimitSeconds: totalSeconds + 60,
    timings,
    holdAfterRecoverySeconds: 2,
    log,
  };
}
