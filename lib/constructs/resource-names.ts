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
  lambdaErrors: 'lambda-errors',
  lambdaThrottles: 'lambda-throttles',
  tableThrottles: 'table-throttles',
  tableSystemErrors: 'table-system-errors',
  queueOldestMessage: 'queue-oldest-message',
} as const;

/** Deterministic CloudWatch alarm name of a cell (`<cell stack>-<alarm>[-<n>]`). */
export function cellAlarmName(
  cell: Cell,
  alarm: (typeof CELL_ALARMS)[keyof typeof CELL_ALARMS],
  index?: number,
): string {
  return `${cell.stackName}-${alarm}${index === undefined ? '' : `-${index}`}`;
}

/**
 * SSM parameters the failover-control stack (us-west-2, where ARC's control plane is) writes into every
 * region that needs them, so other stacks read ARC's non-deterministic ARNs and endpoints in their own
 * region at deploy time instead of through a cross-region reference.
 */
export function failoverParameterPrefix(appName: string): string {
  return `/${appName}/failover`;
}

/** JSON array `[{ endpoint, region }]` of the ARC cluster's data-plane endpoints. */
export function clusterEndpointsParameterName(appName: string): string {
  return `${failoverParameterPrefix(appName)}/cluster-endpoints`;
}

/** ARN of a cell's routing control. */
export function routingControlParameterName(appName: string, cell: Pick<Cell, 'zone' | 'region'>): string {
  return `${failoverParameterPrefix(appName)}/${cell.zone}/${cell.region}/routing-control-arn`;
}
