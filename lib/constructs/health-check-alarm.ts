import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { Cell } from '../topology';

/**
 * Alarm when a cell's Route 53 health check reports unhealthy. Route 53
 * publishes HealthCheckStatus (1 healthy, 0 unhealthy) once per minute, only
 * in us-east-1 for the `aws` partition: the alarm must live in the stack that
 * owns the check (the routing stack, in us-east-1). The status already waits
 * for the topology's failureThreshold, so one breaching minute is enough.
 */
export function healthCheckStatusAlarm(
  scope: Construct,
  id: string,
  check: route53.IHealthCheck,
  cell: Pick<Cell, 'zone' | 'region' | 'role' | 'stackName'>,
): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmName: `${cell.stackName}-route53-health`,
    alarmDescription: `Route 53 sees the ${cell.role} cell of zone ${cell.zone} (${cell.region}) as unhealthy`,
    metric: new cloudwatch.Metric({
      namespace: 'AWS/Route53',
      metricName: 'HealthCheckStatus',
      dimensionsMap: { HealthCheckId: check.healthCheckId },
      period: Duration.minutes(1),
      statistic: 'Minimum',
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    // Missing data is not evidence of failure: never promote on it.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
