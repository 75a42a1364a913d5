import type { DrillFigures } from './types';

/** How each figure is labelled in the reports; a figure without a label shows its key. */
const FIGURE_LABELS: Readonly<Record<string, string>> = {
  rtoSeconds: 'RTO measured (s)',
  rtoCloudEquivalentSeconds: 'RTO, cloud-equivalent (s)',
  predictedRtoSeconds: 'RTO predicted by the topology (s)',
  predictedRtoCloudSeconds: 'RTO predicted, cloud (s)',
  rpoMs: 'RPO: age of the oldest missing canary (ms)',
  replicationLagAtFaultMs: 'Replication lag at the fault (ms)',
  replicationQuiescedAfterMs: 'Replication quiesced after the load, within (ms; n/a: not within the bound)',
  canaryWritesBeforeFault: 'Canary writes acknowledged before the fault',
  missingInSurvivor: 'Canaries missing in the surviving cell',
  maxCanariesBehindDuringPause: 'Most canaries held back during the pause',
  acknowledgedWrites: 'Acknowledged writes (2xx)',
  lostAcknowledgedWrites: 'Lost acknowledged writes',
  errorsDuringFailover: 'Failed requests during failover',
  failbackSeconds: 'Failback: rollback to traffic on the original cell (s)',
  checkoutRecoverySeconds: 'Checkout succeeding again after rollback (s)',
  webhookFailedAttempts: 'Webhook delivery attempts failed at the consumer',
  webhookDuplicatesDeduped: 'Duplicate webhook deliveries (deduped by webhook-id)',
  webhookUndelivered: 'Orders without a delivered webhook',
  splitStockCorrected: 'Split: stock counters reconciliation corrected',
  splitReErased: 'Split: erased profiles reconciliation stripped again',
  splitNeedsAPerson: 'Split: findings left for a person',
  regionLossIntents: "Region loss: the drill's shopper intents",
  regionLossOrdersAcknowledged: 'Region loss: checkouts acknowledged (201)',
  regionLossRetriedCheckouts: 'Region loss: checkouts retried with their key before the 201',
  regionLossRetriedAcrossTheLoss:
    'Region loss: checkouts committed by the lost region, unreplicated, retried on the survivor with their key',
  regionLossRpoWrites: 'Region loss: RPO set, acknowledged writes missing in the survivor at promotion',
  regionLossRpoOldestMs: 'Region loss: oldest write of the RPO set, acknowledged before the cut by (ms)',
  regionLossReplicatorWithheld: 'Region loss: writes of the lost region the replicator withheld at promotion',
  regionLossBackAfterFailback: 'Region loss: RPO writes back in both regions after failback',
  regionLossLostAfterFailback: 'Region loss: acknowledged orders missing after failback',
  regionLossDuplicateOrders: 'Region loss: duplicate orders',
  regionLossOrdersWithoutAnswer: 'Region loss: orders whose shopper got no final answer',
  regionLossAuthorizationsHeld: 'Region loss: payment authorizations held',
  regionLossStockCorrected: 'Region loss: stock counters reconciliation corrected',
  requests: 'Requests',
  failedRequests: 'Failed requests',
  p50Ms: 'Latency p50 (ms)',
  p99Ms: 'Latency p99 (ms)',
};

export function figureRows(figures: DrillFigures): [string, string][] {
  return Object.entries(figures)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [FIGURE_LABELS[key] ?? key, value === null ? 'n/a' : String(value)]);
}
