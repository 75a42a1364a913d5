import { CustomResource, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as arc from 'aws-cdk-lib/aws-route53recoverycontrol';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { CommerceFunction, LAMBDA_ENTRIES } from '../constructs/commerce-function';
import {
  acknowledge,
  acknowledgeCustomResourceProvider,
  acknowledgeProviderFramework,
  nagFindingText,
} from '../constructs/nag-acknowledgements';
import {
  clusterEndpointsParameterName,
  failoverParameterPrefix,
  routingControlParameterName,
} from '../constructs/resource-names';
import { SHARED_ZONE_TAG } from '../tagging';
import { ARC_CONTROL_REGION, type Cell, CONTROL_REGION, type TopologyModel, type Zone } from '../topology';
import { tagZone } from './zone-tags';

export function failoverControlStackName(model: TopologyModel): string {
  return `${model.appName}-failover`;
}

/** Zones whose writer is fenced by ARC routing controls (Zone.fencing, from failover.fencing). */
export function fencedZones(model: TopologyModel): readonly Zone[] {
  return model.zones.filter((zone) => zone.fencing === 'arc');
}

/** An ARC cluster always has five regional endpoints (Route 53 ARC developer guide). */
export const ARC_CLUSTER_ENDPOINT_COUNT = 5;

export interface FailoverControlStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly model: TopologyModel;
}

/**
 * Writer fencing with Route 53 ARC, in us-west-2 (the only region serving
 * ARC's control plane): one cluster for the app, a control panel per fenced
 * zone, a routing control per cell, and a safety rule per zone asserting that
 * at least one of its controls is ON (no change can take the whole zone down).
 *
 * Everything other stacks need is written as SSM parameters into their own
 * regions (FailoverWiring custom resource): the routing stack builds
 * RECOVERY_CONTROL health checks from the control ARNs and the promoter gets
 * the cluster endpoints; each fenced cell's API gets its own control ARN and
 * the endpoints (WRITER_FENCE=arc). Deploy this stack first in the `aws`
 * partition; it sets the primary ON and the secondary OFF when it creates them.
 */
export class FailoverControlStack extends Stack {
  readonly cluster: arc.CfnCluster;
  readonly routingControls: ReadonlyMap<string, arc.CfnRoutingControl>;

  constructor(scope: Construct, id: string, props: FailoverControlStackProps) {
    const { model, ...stackProps } = props;
    const zones = fencedZones(model);
    const account = model.config.accounts.aws;
    const problems: string[] = [];
    if (zones.length === 0)
      problems.push('model: no zone is fenced (failover.fencing); do not create this stack');
    if (!account) problems.push('model: accounts.aws is missing; Route 53 ARC lives in the aws partition');
    for (const zone of zones) {
      if (zone.partition !== 'aws') {
        problems.push(
          `model: zone ${zone.name} is in ${zone.partition}; ARC routing controls here fence only aws zones`,
        );
      }
    }
    if (problems.length > 0) throw new Error(`FailoverControlStack ${id}: ${problems.join('; ')}`);

    super(scope, id, {
      ...stackProps,
      stackName: failoverControlStackName(model),
      env: { account: account!, region: ARC_CONTROL_REGION },
      terminationProtection: model.config.deployment.terminationProtection,
      description: `${model.appName}: Route 53 ARC routing controls fencing the writer of ${zones.map((z) => z.name).join(', ')}`,
    });
    tagZone(this, model, { name: SHARED_ZONE_TAG, residency: 'none' });

    this.cluster = new arc.CfnCluster(this, 'Cluster', { name: `${model.appName}-failover` });
    const controls = new Map<string, arc.CfnRoutingControl>();
    const safetyRules: arc.CfnSafetyRule[] = [];
    for (const zone of zones) {
      const panel = new arc.CfnControlPanel(this, `Panel-${zone.name}`, {
        name: `${model.appName}-${zone.name}`,
        clusterArn: this.cluster.attrClusterArn,
      });
      const zoneControls = zone.cells.map((cell) => {
        const control = new arc.CfnRoutingControl(this, `Control-${zone.name}-${cell.region}`, {
          name: `${model.appName}-${zone.name}-${cell.region}`,
          clusterArn: this.cluster.attrClusterArn,
          controlPanelArn: panel.attrControlPanelArn,
        });
        controls.set(cell.stackName, control);
        return control;
      });
      safetyRules.push(
        new arc.CfnSafetyRule(this, `AtLeastOneOn-${zone.name}`, {
          name: `${model.appName}-${zone.name}-at-least-one-on`,
          controlPanelArn: panel.attrControlPanelArn,
          ruleConfig: { type: 'ATLEAST', threshold: 1, inverted: false },
          assertionRule: {
            assertedControls: zoneControls.map((c) => c.attrRoutingControlArn),
            waitPeriodMs: 5000,
          },
        }),
      );
    }
    this.routingControls = controls;

    const endpoints = this.lookUpClusterEndpoints();
    const wiring = this.wire(model, zones, endpoints);
    // The rule is created once the primaries are ON: its assertion then already holds.
    for (const rule of safetyRules) rule.node.addDependency(wiring);
  }

  /** The cluster's endpoints are only readable through ARC's API (DescribeCluster), not as strings from CloudFormation. */
  private lookUpClusterEndpoints(): readonly { endpoint: string; region: string }[] {
    const lookup = new cr.AwsCustomResource(this, 'ClusterEndpoints', {
      onUpdate: {
        service: 'Route53RecoveryControlConfig',
        action: 'DescribeCluster',
        parameters: { ClusterArn: this.cluster.attrClusterArn },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('Cluster.ClusterArn'),
        outputPaths: Array.from({ length: ARC_CLUSTER_ENDPOINT_COUNT }, (_, i) => [
          `Cluster.ClusterEndpoints.${i}.Endpoint`,
          `Cluster.ClusterEndpoints.${i}.Region`,
        ]).flat(),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['route53-recovery-control-config:DescribeCluster'],
          resources: [this.cluster.attrClusterArn],
        }),
      ]),
      installLatestAwsSdk: false,
    });
    acknowledgeCustomResourceProvider(
      this,
      'one DescribeCluster call at deploy time to read the cluster endpoints',
    );
    return Array.from({ length: ARC_CLUSTER_ENDPOINT_COUNT }, (_, i) => ({
      endpoint: lookup.getResponseField(`Cluster.ClusterEndpoints.${i}.Endpoint`),
      region: lookup.getResponseField(`Cluster.ClusterEndpoints.${i}.Region`),
    }));
  }

  private wire(
    model: TopologyModel,
    zones: readonly Zone[],
    endpoints: readonly { endpoint: string; region: string }[],
  ): CustomResource {
    const endpointsJson = this.toJsonString(endpoints);
    const fenced: Cell[] = zones.flatMap((zone) => [...zone.cells]);
    const parameters = new Map<string, { region: string; name: string; value: string }>();
    const put = (region: string, name: string, value: string) =>
      parameters.set(`${region} ${name}`, { region, name, value });
    const controlArn = (cell: Cell) => this.routingControls.get(cell.stackName)!.attrRoutingControlArn;
    for (const cell of fenced) {
      // The cell's API reads its own control; the routing stack (us-east-1) reads every control.
      for (const region of new Set([cell.region, CONTROL_REGION])) {
        put(region, routingControlParameterName(model.appName, cell), controlArn(cell));
        put(region, clusterEndpointsParameterName(model.appName), endpointsJson);
      }
    }
    const regions = [...new Set([...parameters.values()].map((p) => p.region))].sort();

    const handler = new CommerceFunction(this, 'Wiring', {
      entry: LAMBDA_ENTRIES.failoverWiring,
      description:
        'Writes ARC routing control ARNs and cluster endpoints as SSM parameters; sets initial states',
      environment: {},
      timeout: Duration.minutes(2),
    });
    const prefix = failoverParameterPrefix(model.appName);
    const parameterArns = regions.map((region) =>
      this.formatArn({ service: 'ssm', region, resource: 'parameter', resourceName: `${prefix.slice(1)}/*` }),
    );
    handler.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:PutParameter', 'ssm:DeleteParameter'],
        resources: parameterArns,
      }),
    );
    handler.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'route53-recovery-cluster:UpdateRoutingControlStates',
          'route53-recovery-cluster:UpdateRoutingControlState',
        ],
        resources: fenced.map(controlArn),
      }),
    );
    const provider = new cr.Provider(this, 'WiringProvider', { onEventHandler: handler.function });
    acknowledgeProviderFramework(provider, handler.function.functionArn, 'failover wiring');
    const wiring = new CustomResource(this, 'FailoverWiring', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::FailoverWiring',
      properties: {
        ClusterEndpoints: endpoints,
        Parameters: [...parameters.values()],
        InitialStates: fenced.map((cell) => ({
          routingControlArn: controlArn(cell),
          state: cell.role === 'primary' ? 'On' : 'Off',
        })),
      },
    });

    acknowledge(handler.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray active tracing: xray:PutTraceSegments/PutTelemetryRecords do not support resource-level permissions',
    });
    for (const arn of parameterArns) {
      acknowledge(handler.role, {
        id: `AwsSolutions-IAM5[Resource::${nagFindingText(this, arn)}]`,
        reason: `Writes and deletes only the parameters under ${prefix}/ that this stack owns, in each region that reads them`,
      });
    }
    acknowledge(handler.function, {
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked synchronously by the CDK Provider framework, which reports failures to CloudFormation',
    });
    return wiring;
  }
}
