import type { Finding, ResidencyRule } from '../finding';
import type { Inventory } from '../inventory';
import { ResidencyCdnBoundary } from './ResidencyCdnBoundary';
import { ResidencyClientIpLogs } from './ResidencyClientIpLogs';
import { ResidencyCloudflareBoundary } from './ResidencyCloudflareBoundary';
import { ResidencyCloudflareLogs } from './ResidencyCloudflareLogs';
import { ResidencyCustomerManagedKey } from './ResidencyCustomerManagedKey';
import { ResidencyFunctionReachInZone } from './ResidencyFunctionReachInZone';
import { ResidencyReplicaInZone } from './ResidencyReplicaInZone';
import { ResidencyStoreInZoneRegion } from './ResidencyStoreInZoneRegion';
import { ResidencyTagged } from './ResidencyTagged';
import { ResidencyZoneSinglePartition } from './ResidencyZoneSinglePartition';

/** Every residency rule, in report order. The synth-time check and the report both run exactly these. */
export const RESIDENCY_RULES: readonly ResidencyRule[] = [
  ResidencyStoreInZoneRegion,
  ResidencyReplicaInZone,
  ResidencyZoneSinglePartition,
  ResidencyCustomerManagedKey,
  ResidencyCdnBoundary,
  ResidencyCloudflareBoundary,
  ResidencyCloudflareLogs,
  ResidencyFunctionReachInZone,
  ResidencyClientIpLogs,
  ResidencyTagged,
];

export function evaluateRules(inventory: Inventory, rules = RESIDENCY_RULES): Finding[] {
  return rules.flatMap((rule) => rule.evaluate(inventory));
}

export {
  ResidencyCdnBoundary,
  ResidencyClientIpLogs,
  ResidencyCloudflareBoundary,
  ResidencyCloudflareLogs,
  ResidencyCustomerManagedKey,
  ResidencyFunctionReachInZone,
  ResidencyReplicaInZone,
  ResidencyStoreInZoneRegion,
  ResidencyTagged,
  ResidencyZoneSinglePartition,
};
