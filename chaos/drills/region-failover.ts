import type { Drill } from '../drill';
import { MIN_SUCCESS_PERCENT, RTO_TOLERANCE_SECONDS } from '../metrics';
import { Canaries } from '../local/canaries';
import { cellName, primaryCellStopped, secondaryOf } from '../local/context';
import { AcknowledgedOrders } from '../local/orders';
import { standardTimings } from '../local/timings';

export const regionFailover: Drill = {
  definition: {
    name: 'region-failover',
    title: 'Primary cell of a zone down',
    hypothesis: `When the primary cell of the zone stops answering, health checks mark it unhealthy after interval x threshold and, once cached answers expire (TTL), clients are served by the secondary cell: within the RTO the topology predicts plus ${RTO_TOLERANCE_SECONDS} s, with no acknowledged write lost.`,
    fault:
      'primary cell stopped (local: connections refused; AWS: health check inverted, drill flag, or FIS Lambda invocation errors)',
    recovery: 'failover',
    warmupSeconds: 30,
    faultSeconds: 180,
    settleSeconds: 120,
    expectations: [
      `RTO <= predicted RTO + ${RTO_TOLERANCE_SECONDS} s`,
      `traffic served by the secondary at >= ${MIN_SUCCESS_PERCENT} success`,
      '0 lost acknowledged writes',
      'canary writes acknowledged before the fault present in the secondary (RPO)',
    ],
  },
  local: async (context) => {
    const secondary = secondaryOf(context, 'region-failover');
    return {
      ...primaryCellStopped(context),
      timings: standardTimings(context, regionFailover.definition),
      checks: [new Canaries(context, secondary), new AcknowledgedOrders(context)],
      notes: [
        'SIMULATED: stopping a local cell closes its API listener; its table and the replicator keep running, so the local RPO measures the replicator, not the loss of a region.',
      ],
    };
  },
  aws: (context) => ({
    injectors: [context.faults.cellDown(context.zone.primary)],
    failedCell: cellName(context.zone.primary),
  }),
};
