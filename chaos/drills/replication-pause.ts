import type { Drill } from '../drill';
import { LocalFaultInjector } from '../injectors/local';
import { faultEffective, MIN_SUCCESS_PERCENT, minSuccessCriterion, successDuringFault } from '../metrics';
import { Canaries } from '../local/canaries';
import { type DrillCheck, settled } from '../local/checks';
import { secondaryOf } from '../local/context';
import { AcknowledgedOrders } from '../local/orders';
import { standardTimings } from '../local/timings';

export const replicationPause: Drill = {
  definition: {
    name: 'replication-pause',
    title: 'Replication between the cells of a zone paused',
    hypothesis: `While replication is paused the primary keeps serving at >= ${MIN_SUCCESS_PERCENT} success and the backlog grows; after it resumes, every acknowledged write reaches the secondary (0 missing) and the lag returns to normal.`,
    fault:
      'replication paused (local: replicator paused; AWS: FIS aws:dynamodb:global-table-pause-replication)',
    recovery: 'hold',
    warmupSeconds: 30,
    faultSeconds: 120,
    settleSeconds: 60,
    expectations: [
      `success rate >= ${MIN_SUCCESS_PERCENT} during the pause`,
      'replication lag grows during the pause and recovers after it',
      '0 acknowledged writes missing in the secondary after catch-up',
    ],
  },
  local: async (context) => {
    const secondary = secondaryOf(context, 'replication-pause');
    // Canaries before and during the pause: those written during it must be held back, then arrive.
    const canaries = new Canaries(context, secondary, ['steady', 'fault']);
    let maxBehindDuringPause = 0;
    const pauseHoldsWrites: DrillCheck = {
      async onSecond(_second, phase) {
        if (phase !== 'fault') return;
        const duringFault = canaries.ids('fault');
        const present = await canaries.presentInSurvivor(duringFault);
        maxBehindDuringPause = Math.max(maxBehindDuringPause, duringFault.length - present.size);
      },
      async verify(checkContext) {
        const ids = canaries.ids();
        const present = await canaries.presentInSurvivor(ids);
        return {
          figures: { maxCanariesBehindDuringPause: maxBehindDuringPause },
          criteria: [
            settled(
              {
                name: 'every canary written during the pause reached the secondary after resume',
                ok: present.size === ids.length,
                detail: `${present.size}/${ids.length} canaries in ${secondary.region}`,
              },
              checkContext.quiescence,
            ),
            minSuccessCriterion(
              `primary serves >= ${MIN_SUCCESS_PERCENT} during the pause`,
              successDuringFault(checkContext.timeline, checkContext.faultStartMs, checkContext.rollbackAtMs),
              checkContext.summary,
            ),
            faultEffective(
              'the pause held writes back (fault effective)',
              maxBehindDuringPause > 0,
              `up to ${maxBehindDuringPause} canary writes were not yet in ${secondary.region} during the pause`,
            ),
          ],
        };
      },
    };
    return {
      injectors: [
        new LocalFaultInjector(context.control, { kind: 'replication-pause', zone: context.zone.name }),
      ],
      timings: standardTimings(context, replicationPause.definition),
      checks: [canaries, new AcknowledgedOrders(context), pauseHoldsWrites],
    };
  },
};
