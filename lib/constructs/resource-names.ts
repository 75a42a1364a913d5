import type { Cell, Partition } from '../topology';

/**
 * Physical names other stacks (or operators) must be able to compute without a
 * cross-region reference. Each is a pure function of the topology, so the
 * primary cell can name the replica's key and the routing stack can name every
 * cell's endpoint without reading another stack's outputs.
 */

/** KMS alias of a zone's data key; the same alias name exists in each region of the zone. */
export function dataKeyAliasName(appName: string, zone: string): string {
  return `alias/${appName}-${zone}-data`;
}

/** Alias ARN a global-table replica is encrypted with (DynamoDB accepts alias ARNs for replica SSE). */
export function dataKeyAliasArn(
  partition: Partition,
  region: string,
  account: string,
  appName: string,
  zone: string,
): string {
  return `arn:${partition}:kms:${region}:${account}:${dataKeyAliasName(appName, zone)}`;
}

/** Stack that holds the replica key of a secondary cell; it deploys before the zone's primary. */
export function replicaKeyStackName(cell: Cell): string {
  return `${cell.stackName}-key`;
}

export function eventBusName(appName: string, zone: string): string {
  return `${appName}-${zone}-events`;
}

export function webhookQueueName(appName: string, zone: string): string {
  return `${appName}-${zone}-webhooks`;
}

/** Name of a cell's API function: the FIS Lambda experiment (DrillStack) targets it by ARN. */
export function apiFunctionName(cell: Cell): string {
  return `${cell.stackName.replace(/-cell-/, '-')}-api`;
}

/** The alarms every cell has, by stable suffix: drills use them as FIS stop conditions. */
export const CELL_ALARMS = {
  api5xxRate: 'api-5xx-rate',
  apiP99Latency: 'api-p99-latency',
  streamIteratorAge: 'stream-iterator-age',
  deadLetterDepth: 'dead-letter-depth',
  replicationLatency: 'replication-latency',
} as const;

/** Deterministic CloudWatch alarm name of a cell (`<cell stack>-<alarm>[-<n>]`). */
export function cellAlarmName(
  cell: Cell,
  alarm: (typeof CELL_ALARMS)[keyof typeof CELL_ALARMS],
  index?: number,
): string {
  return `${cell.stackName}-${alarm}${index === undefined ? '' : `-${index}`}`;
}
