import type { Drill } from '../drill';
import { LocalFaultInjector } from '../injectors/local';
import { RTO_TOLERANCE_SECONDS } from '../metrics';
import { Canaries } from '../local/canaries';
import type { DrillCheck } from '../local/checks';
import { cellName, secondaryOf } from '../local/context';
import { AcknowledgedOrders } from '../local/orders';
import { standardTimings } from '../local/timings';

/** A planned failover and failback keeps both cells healthy, so no request may fail at all. */
const noFailedRequests: DrillCheck = {
  async verify(context) {
    const failed = context.timeline.reduce((n, b) => n + (b.count - b.success), 0);
    return {
      criteria: [
        {
          name: '0 failed requests in a planned failover and failback',
          ok: failed === 0,
          detail: `${failed} failed`,
        },
      ],
    };
  },
};

export const failback: Drill = {
  definition: {
    name: 'failback',
    title: 'Planned return to the primary cell',
    hypothesis: `After a failover, restoring the primary cell moves traffic back to it within the predicted RTO plus ${RTO_TOLERANCE_SECONDS} s, without failed requests (both cells are healthy during a planned failback) and without losing writes made on the secondary.`,
    fault: 'primary cell marked unhealthy (planned), then restored',
    recovery: 'failover',
    warmupSeconds: 20,
    faultSeconds: 180,
    settleSeconds: 180,
    expectations: [
      `failback time <= predicted RTO + ${RTO_TOLERANCE_SECONDS} s`,
      '0 failed requests during failover and failback',
      '0 lost acknowledged writes',
    ],
  },
  local: async (context) => {
    const { zone } = context;
    const secondary = secondaryOf(context, 'failback');
    return {
      injectors: [
        new LocalFaultInjector(context.control, {
          kind: 'cell-unhealthy',
          zone: zone.name,
          region: zone.primary.region,
        }),
      ],
      failedCell: cellName(zone.primary),
      timings: standardTimings(context, failback.definition),
      checks: [new Canaries(context, secondary), new AcknowledgedOrders(context), noFailedRequests],
    };
  },
};
