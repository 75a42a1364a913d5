import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { REPLICATION_LATENCY_ALARM_MS } from '../topology';
import { CELL_ALARMS } from './resource-names';

export interface CellMonitoringThresholds {
  /** Percentage of API requests answered 5xx over 5 minutes. */
  readonly api5xxPercent: number;
  /** p99 API latency in milliseconds. */
  readonly apiP99LatencyMs: number;
  /** Age of the oldest unprocessed stream record in milliseconds. */
  readonly streamIteratorAgeMs: number;
  /** Average DynamoDB replication latency to the replica in milliseconds. */
  readonly replicationLatencyMs: number;
}

export const DEFAULT_THRESHOLDS: CellMonitoringThresholds = {
  api5xxPercent: 1,
  apiP99LatencyMs: 2000,
  streamIteratorAgeMs: 60_000,
  replicationLatencyMs: REPLICATION_LATENCY_ALARM_MS,
};

/** A function whose errors and throttles page someone. */
export interface MonitoredFunction {
  /** Stable short name for the alarm (`api`, `relay`, `dispatcher`). */
  readonly name: string;
  readonly function: lambda.IFunction;
  /** Errors tolerated in 5 minutes before alarming (the API answers most failures itself). */
  readonly errorThreshold: number;
}

/** A queue whose oldest message must not outlive what its consumer schedules. */
export interface AgingQueue {
  readonly name: string;
  readonly queue: sqs.IQueue;
  /** Oldest-message age that means work is stuck, well inside the queue's retention. */
  readonly maxAge: Duration;
}

/** DynamoDB operations the cell's code sends (alarm math over more than 10 metrics is not allowed). */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.BATCH_GET_ITEM,
  dynamodb.Operation.BATCH_WRITE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

export interface CellMonitoringProps {
  /** Dashboard name; unique per account and region (the cell's stack name fits). */
  readonly dashboardName: string;
  readonly api: apigw.RestApi;
  readonly streamConsumer: lambda.IFunction;
  /** Queues whose depth must stay at zero (DLQs, the relay's on-failure queue). */
  readonly deadLetterQueues: readonly sqs.IQueue[];
  /**
   * Primary cell with a replica: the table name and receiving region for the
   * ReplicationLatency alarm.
   * @default - no replication alarm (secondary or single-region cell)
   */
  readonly replication?: { readonly tableName: string; readonly receivingRegion: string };
  /** @default DEFAULT_THRESHOLDS */
  readonly thresholds?: Partial<CellMonitoringThresholds>;
  /** Functions alarmed on Errors and Throttles. @default - none */
  readonly functions?: readonly MonitoredFunction[];
  /** The cell's table (or local replica): throttle and system-error alarms. @default - none */
  readonly table?: dynamodb.ITableV2;
  /** Queues alarmed on ApproximateAgeOfOldestMessage. @default - none */
  readonly agingQueues?: readonly AgingQueue[];
  /**
   * Names each alarm (`<prefix>-<CELL_ALARMS suffix>`) so drills can use them as stop conditions.
   * @default - CloudFormation-generated alarm names
   */
  readonly alarmNamePrefix?: string;
}

/**
 * The cell's alarms (5xx rate, p99 latency, DLQ depth, iterator age, replication latency, function
 * errors and throttles, table throttles and system errors, oldest queued message) and dashboard.
 */
export class CellMonitoring extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: CellMonitoringProps) {
    super(scope, id);
    const thresholds = { ...DEFAULT_THRESHOLDS, ...props.thresholds };
    const problems = Object.entries(thresholds)
      .filter(([, value]) => !(value > 0))
      .map(([name, value]) => `thresholds.${name}: ${value} must be a positive number`);
    if (thresholds.api5xxPercent > 100) problems.push('thresholds.api5xxPercent: must be at most 100');
    if (problems.length > 0) throw new Error(`CellMonitoring ${this.node.path}: ${problems.join('; ')}`);

    const period = Duration.minutes(5);
    const errorRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        errors: props.api.metricServerError({ period, statistic: 'Sum' }),
        requests: props.api.metricCount({ period, statistic: 'Sum' }),
      },
      period,
      label: 'API 5xx %',
    });
    const p99 = props.api.metricLatency({ period, statistic: 'p99' });
    const iteratorAge = props.streamConsumer.metric('IteratorAge', {
      period: Duration.minutes(1),
      statistic: 'Maximum',
    });

    const named = (suffix: string) =>
      props.alarmNamePrefix === undefined ? {} : { alarmName: `${props.alarmNamePrefix}-${suffix}` };
    const alarms: cloudwatch.Alarm[] = [
      errorRate.createAlarm(this, 'Api5xxRate', {
        ...named(CELL_ALARMS.api5xxRate),
        alarmDescription: `More than ${thresholds.api5xxPercent}% of API requests failed with 5xx`,
        threshold: thresholds.api5xxPercent,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      p99.createAlarm(this, 'ApiP99Latency', {
        ...named(CELL_ALARMS.apiP99Latency),
        alarmDescription: `API p99 latency above ${thresholds.apiP99LatencyMs} ms`,
        threshold: thresholds.apiP99LatencyMs,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      iteratorAge.createAlarm(this, 'StreamIteratorAge', {
        ...named(CELL_ALARMS.streamIteratorAge),
        alarmDescription: `Outbox relay is more than ${thresholds.streamIteratorAgeMs} ms behind the table stream`,
        threshold: thresholds.streamIteratorAgeMs,
        evaluationPeriods: 5,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      ...props.deadLetterQueues.map((queue, index) =>
        queue
          .metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' })
          .createAlarm(this, `DeadLetterDepth${index}`, {
            ...named(`${CELL_ALARMS.deadLetterDepth}-${index}`),
            alarmDescription: 'Messages are waiting in a dead-letter queue: inspect and redrive',
            threshold: 0,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      ),
    ];
    if (props.replication) {
      const replicationLatency = new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName: 'ReplicationLatency',
        dimensionsMap: {
          TableName: props.replication.tableName,
          ReceivingRegion: props.replication.receivingRegion,
        },
        period: Duration.minutes(1),
        statistic: 'Average',
      });
      alarms.push(
        replicationLatency.createAlarm(this, 'ReplicationLatency', {
          ...named(CELL_ALARMS.replicationLatency),
          alarmDescription: `Replication to ${props.replication.receivingRegion} is slower than ${thresholds.replicationLatencyMs} ms: RPO grows`,
          threshold: thresholds.replicationLatencyMs,
          evaluationPeriods: 5,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const monitored of props.functions ?? []) {
      alarms.push(
        monitored.function
          .metricErrors({ period, statistic: 'Sum' })
          .createAlarm(this, `${monitored.name}Errors`, {
            ...named(`${CELL_ALARMS.lambdaErrors}-${monitored.name}`),
            alarmDescription: `The ${monitored.name} function failed more than ${monitored.errorThreshold} invocations in 5 minutes`,
            threshold: monitored.errorThreshold,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        monitored.function
          .metricThrottles({ period, statistic: 'Sum' })
          .createAlarm(this, `${monitored.name}Throttles`, {
            ...named(`${CELL_ALARMS.lambdaThrottles}-${monitored.name}`),
            alarmDescription: `The ${monitored.name} function was throttled (concurrency exhausted)`,
            threshold: 0,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
    }
    if (props.table) {
      const throttled = new cloudwatch.MathExpression({
        expression: 'reads + writes',
        usingMetrics: {
          reads: props.table.metric('ReadThrottleEvents', { period, statistic: 'Sum' }),
          writes: props.table.metric('WriteThrottleEvents', { period, statistic: 'Sum' }),
        },
        period,
        label: 'DynamoDB throttle events',
      });
      alarms.push(
        throttled.createAlarm(this, 'TableThrottles', {
          ...named(CELL_ALARMS.tableThrottles),
          alarmDescription: 'DynamoDB throttled reads or writes of the commerce table',
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        new cloudwatch.Alarm(this, 'TableSystemErrors', {
          metric: props.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period }),
          ...named(CELL_ALARMS.tableSystemErrors),
          alarmDescription: 'DynamoDB answered the commerce table with 5xx system errors',
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    for (const aging of props.agingQueues ?? []) {
      alarms.push(
        aging.queue
          .metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' })
          .createAlarm(this, `${aging.name}OldestMessage`, {
            ...named(`${CELL_ALARMS.queueOldestMessage}-${aging.name}`),
            alarmDescription: `The oldest message of the ${aging.name} queue is older than ${aging.maxAge.toHumanString()}: work is stuck`,
            threshold: aging.maxAge.toSeconds(),
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
    }
    this.alarms = alarms;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'API 5xx %', left: [errorRate], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'API p99 latency (ms)', left: [p99], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Stream iterator age (ms)', left: [iteratorAge], width: 8 }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Cell alarms', alarms, width: 24 })],
      ],
    });
  }
}
