import type { Drill } from '../drill';
import { cdnOutage } from './cdn-outage';
import { clientFailover } from './client-failover';
import { dependencyLatency } from './dependency-latency';
import { failback } from './failback';
import { kioskOffline } from './kiosk-offline';
import { regionFailover } from './region-failover';
import { regionLoss } from './region-loss';
import { replicationPause } from './replication-pause';
import { splitWrites } from './split-writes';
import { webhookConsumerOutage } from './webhook-consumer-outage';
import { zoneOutageReadPath } from './zone-outage-read-path';

/**
 * Every drill, in the order `npm run drill -- list` prints them. One file per
 * drill (chaos/drills/<name>.ts, the interface in chaos/drill.ts); adding a
 * drill is that file plus one entry here (the list is pinned by
 * test/chaos/drills/index.test.ts).
 */
export const DRILLS: readonly Drill[] = [
  regionFailover,
  replicationPause,
  dependencyLatency,
  webhookConsumerOutage,
  failback,
  cdnOutage,
  zoneOutageReadPath,
  clientFailover,
  kioskOffline,
  splitWrites,
  regionLoss,
];

export const DRILL_NAMES: readonly string[] = DRILLS.map((d) => d.definition.name);

export function isDrillName(name: string): boolean {
  return DRILL_NAMES.includes(name);
}

export function drillByName(name: string): Drill {
  const drill = DRILLS.find((d) => d.definition.name === name);
  if (!drill) throw new Error(`no drill named ${name}; drills are ${DRILL_NAMES.join(', ')}`);
  return drill;
}
