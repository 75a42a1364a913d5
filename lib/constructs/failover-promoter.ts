import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { CommerceFunction, LAMBDA_ENTRIES } from './commerce-function';
import { acknowledge } from './nag-acknowledgements';

export interface FailoverPromoterProps {
  readonly zone: string;
  readonly primaryRoutingControlArn: string;
  readonly secondaryRoutingControlArn: string;
  /** JSON array of the ARC cluster endpoints `[{ endpoint, region }]`. */
  readonly clusterEndpointsJson: string;
  /** The alarm on the primary cell's Route 53 health check; its ALARM invokes the promoter. */
  readonly primaryHealthAlarm: cloudwatch.Alarm;
  /** The secondary cell's HTTPS health check: the promoter promotes only onto a healthy secondary. */
  readonly secondaryHealthCheck: route53.IHealthCheck;
}

/**
 * Automatic promotion of one fenced zone: the primary's health-check alarm
 * invokes lambdas/failover/promoter.ts, which turns the secondary's routing
 * control ON and the primary's OFF, trying the cluster endpoints in turn.
 * The alarm and this function live in us-east-1, where Route 53 health-check
 * metrics are (a Lambda alarm action must be in the alarm's region).
 */
export class FailoverPromoter extends Construct {
  readonly handler: CommerceFunction;

  constructor(scope: Construct, id: string, props: FailoverPromoterProps) {
    super(scope, id);
    this.handler = new CommerceFunction(this, 'Promoter', {
      entry: LAMBDA_ENTRIES.failoverPromoter,
      description: `Promotes zone ${props.zone}: secondary routing control ON, primary OFF`,
      environment: {
        ZONE: props.zone,
        PRIMARY_ROUTING_CONTROL_ARN: props.primaryRoutingControlArn,
        SECONDARY_ROUTING_CONTROL_ARN: props.secondaryRoutingControlArn,
        ARC_CLUSTER_ENDPOINTS: props.clusterEndpointsJson,
        SECONDARY_HEALTH_CHECK_ID: props.secondaryHealthCheck.healthCheckId,
      },
      timeout: Duration.seconds(60),
    });
    this.handler.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['route53-recovery-cluster:UpdateRoutingControlStates'],
        resources: [props.primaryRoutingControlArn, props.secondaryRoutingControlArn],
      }),
    );
    this.handler.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['route53:GetHealthCheckStatus'],
        resources: [
          Stack.of(this).formatArn({
            service: 'route53',
            region: '',
            account: '',
            resource: 'healthcheck',
            resourceName: props.secondaryHealthCheck.healthCheckId,
          }),
        ],
      }),
    );
    props.primaryHealthAlarm.addAlarmAction(new cloudwatchActions.LambdaAction(this.handler.function));
    acknowledge(this.handler.function, {
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked asynchronously by its alarm only; a failed promotion is retried by Lambda and the same alarm notifies the SNS topic, whose runbook promotes by hand',
    });
  }
}
