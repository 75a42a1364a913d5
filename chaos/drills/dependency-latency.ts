import { SHOPPER_FLOW } from '../../loadtests/flow';
import { PROFILES } from '../../loadtests/profiles';
import { startLoad } from '../../loadtests/runner';
import type { Drill } from '../drill';
import { PaymentHangFault } from '../injectors/payment-mode';
import { MIN_SUCCESS_PERCENT, minSuccessCriterion } from '../metrics';
import { Canaries } from '../local/canaries';
import type { DrillCheck } from '../local/checks';
import type { LocalDrillContext } from '../local/context';
import { secondaryOf } from '../local/context';
import { AcknowledgedOrders } from '../local/orders';
import { standardTimings } from '../local/timings';

/** Probes after rollback, one a second at most, until a checkout succeeds again. */
const RECOVERY_PROBES = 60;

/** Checkout fails fast during the fault, the rest is unaffected, and checkout recovers after it. */
function paymentChecks(context: LocalDrillContext): DrillCheck {
  return {
    async verify({ load, faultStartMs, rollbackAtMs, summary }) {
      if (!load || faultStartMs === undefined) return {};
      const to = rollbackAtMs ?? Number.POSITIVE_INFINITY;
      const inFault = load.samples().filter((x) => x.atMs >= faultStartMs && x.atMs < to);
      const checkouts = inFault.filter((x) => x.step === 'checkout');
      const hung = checkouts.filter((x) => x.status === 0).length;
      const others = inFault.filter((x) => x.step !== 'checkout');
      // The circuit breaker stays open for its own period after the provider recovers: probe until a
      // checkout with the default payment method succeeds (bounded), rather than assume its duration.
      let recoveredAfterMs: number | undefined;
      for (let probe = 0; probe < RECOVERY_PROBES && recoveredAfterMs === undefined; probe++) {
        const result = await startLoad({
          baseUrl: context.baseUrl,
          profile: { ...PROFILES.smoke, startRate: 10, maxIterations: 1 },
          flow: SHOPPER_FLOW,
          headers: context.shopperHeaders,
        }).done;
        if (result.failures === 0 && result.requests === SHOPPER_FLOW.length)
          recoveredAfterMs = load.elapsedMs() - to;
        else await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return {
        figures: {
          checkoutRecoverySeconds:
            recoveredAfterMs === undefined ? undefined : Math.round(recoveredAfterMs / 100) / 10,
        },
        criteria: [
          {
            name: 'checkout fails fast instead of hanging (no client timeout)',
            ok: checkouts.length > 0 && hung === 0,
            detail: `${checkouts.length} checkouts during the fault: ${checkouts.filter((x) => x.status === 503).length} answered 503, ${hung} hung until the client gave up; slowest ${Math.round(Math.max(0, ...checkouts.map((x) => x.latencyMs)))} ms`,
          },
          minSuccessCriterion(
            `requests other than checkout unaffected (>= ${MIN_SUCCESS_PERCENT} success)`,
            { requests: others.length, succeeded: others.filter((x) => x.ok).length },
            summary,
          ),
          {
            name: 'checkout succeeds again after rollback',
            ok: recoveredAfterMs !== undefined,
            detail:
              recoveredAfterMs === undefined
                ? `no successful checkout within ${RECOVERY_PROBES} probes`
                : `first successful checkout ${(recoveredAfterMs / 1000).toFixed(1)} s after rollback (circuit breaker closed again)`,
          },
        ],
      };
    },
  };
}

export const dependencyLatency: Drill = {
  definition: {
    name: 'dependency-latency',
    title: 'Payment provider slow',
    hypothesis:
      'With the payment provider hanging, checkout fails fast (timeout, then the circuit breaker opens) with 503 payment_unavailable instead of hanging; catalog and cart requests are unaffected; stock reserved for failed checkouts is released.',
    fault:
      'payment provider hangs (local: SIMULATED provider mode; AWS: FIS Lambda invocation delay on the provider adapter)',
    recovery: 'hold',
    warmupSeconds: 30,
    faultSeconds: 60,
    settleSeconds: 60,
    expectations: [
      'checkout p99 below the payment timeout plus a margin (no hanging requests)',
      `non-checkout requests >= ${MIN_SUCCESS_PERCENT} success`,
      'checkout succeeds again after rollback',
    ],
  },
  local: async (context) => {
    const secondary = secondaryOf(context, 'dependency-latency');
    // The fault rides on the load: while it is active, drill checkouts pay with the hanging method.
    const paymentHang = new PaymentHangFault();
    const paymentMethod = () => paymentHang.paymentMethod();
    return {
      injectors: [paymentHang],
      timings: standardTimings(context, dependencyLatency.definition),
      iterationDefaults: () => {
        const method = paymentMethod();
        return method ? { paymentMethod: method } : {};
      },
      checks: [new Canaries(context, secondary), new AcknowledgedOrders(context), paymentChecks(context)],
    };
  },
};
