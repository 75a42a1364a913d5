import { SHOPPER_FLOW } from '../../loadtests/flow';
import { PROFILES, scaleProfile } from '../../loadtests/profiles';
import { startLoad } from '../../loadtests/runner';
import type { Criterion } from '../metrics';
import type { LocalDrillContext } from './context';

/**
 * Steady state before any fault: every cell of the zone answers its health
 * check, and a smoke load through the zone endpoint runs without errors. The
 * fault is injected only when all hold.
 */
/** Smoke runs before the steady state is declared not met (one clean run is enough). */
const SMOKE_RUNS = 3;

export async function steadyState(context: LocalDrillContext): Promise<Criterion[]> {
  const { topology, zone, baseUrl, shopperHeaders: headers } = context;
  const healthPath = topology.model.failover.healthCheck.path;
  const checks: Criterion[] = [];
  for (const cell of topology.endpoints.cells.filter((c) => c.zone === zone.name)) {
    const status = await fetch(`${cell.url}${healthPath}`, { signal: AbortSignal.timeout(3000) })
      .then((r) => r.status)
      .catch(() => 0);
    checks.push({
      name: `steady state: ${cell.zone}/${cell.region} healthy`,
      ok: status === 200,
      detail: `GET ${healthPath} -> ${status}`,
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
  // The profile's latency thresholds are cloud SLOs; on a shared loopback machine only errors gate the
  // steady state, and the latency is reported beside it. A busy machine can fail one request of a run (a
  // client timeout), so the smoke runs up to SMOKE_RUNS times and the steady state holds when one run is
  // clean; the earlier runs stay in the detail.
  const runs: string[] = [];
  let clean = false;
  for (let run = 1; run <= SMOKE_RUNS && !clean; run++) {
    const smoke = await startLoad({
      baseUrl,
      profile: scaleProfile(PROFILES.smoke, { duration: 0.1, rate: 1 }),
      flow: SHOPPER_FLOW,
      headers,
    }).done;
    clean = smoke.thresholds.find((t) => t.name === 'errorRate')?.ok === true && smoke.requests > 0;
    runs.push(
      `run ${run}: ${smoke.requests} requests, error rate ${smoke.errorRate}, p99 ${smoke.p99Ms} ms, served by ${Object.keys(smoke.servedBy).join(', ')}`,
    );
  }
  checks.push({
    name: 'steady state: smoke load without errors',
    ok: clean,
    detail: runs.join('; '),
  });
  return checks;
}
