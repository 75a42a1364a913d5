import { Match, Template } from 'aws-cdk-lib/assertions';
import { FailoverControlStack, fencedZones } from '../../../lib/stacks/failover-control-stack';
import { buildModel, loadTopology, parseTopology } from '../../../lib/topology';
import { validTopology } from '../../support/topologies';
import { newCommerceApp } from '../app/synth-fixture';

describe('FailoverControlStack', () => {
  const model = loadTopology('topology.yaml');
  const stack = new FailoverControlStack(newCommerceApp(), 'Failover', { model });
  const template = Template.fromStack(stack);
  const controlOf = (region: string) =>
    Object.keys(
      template.findResources('AWS::Route53RecoveryControl::RoutingControl', {
        Properties: { Name: `commerce-global-${region}` },
      }),
    )[0]!;

  it('fences only zones with a secondary in a partition with ARC, from us-west-2', () => {
    expect(fencedZones(model).map((z) => z.name)).toEqual(['global']);
    expect(fencedZones(loadTopology('topologies/eu-regional.yaml')).map((z) => z.name)).toEqual([
      'global',
      'eu',
    ]);
    expect({ region: stack.region, account: stack.account, name: stack.stackName }).toEqual({
      region: 'us-west-2',
      account: '111111111111',
      name: 'commerce-failover',
    });
    expect(stack.terminationProtection).toBe(true);
  });

  it('has one cluster, a control panel per fenced zone and a routing control per cell', () => {
    template.resourceCountIs('AWS::Route53RecoveryControl::Cluster', 1);
    template.resourceCountIs('AWS::Route53RecoveryControl::ControlPanel', 1);
    template.resourceCountIs('AWS::Route53RecoveryControl::RoutingControl', 2);
    expect(controlOf('us-east-1')).toBeDefined();
    expect(controlOf('us-west-2')).toBeDefined();
  });

  it('asserts that at least one routing control of the zone stays ON, once the initial states are set', () => {
    template.hasResource('AWS::Route53RecoveryControl::SafetyRule', {
      Properties: {
        RuleConfig: { Type: 'ATLEAST', Threshold: 1, Inverted: false },
        AssertionRule: {
          AssertedControls: [
            { 'Fn::GetAtt': [controlOf('us-east-1'), 'RoutingControlArn'] },
            { 'Fn::GetAtt': [controlOf('us-west-2'), 'RoutingControlArn'] },
          ],
          WaitPeriodMs: 5000,
        },
      },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^FailoverWiring')]),
    });
  });

  it('writes the control ARNs and cluster endpoints into each reading region, and starts the primary ON', () => {
    const arnOf = (region: string) => ({ 'Fn::GetAtt': [controlOf(region), 'RoutingControlArn'] });
    const [wiring] = Object.values(template.findResources('Custom::FailoverWiring'));
    const parameters = wiring!.Properties.Parameters as { region: string; name: string; value: unknown }[];
    expect(parameters.map((p) => `${p.region} ${p.name}`).sort()).toEqual([
      'us-east-1 /commerce/failover/cluster-endpoints',
      'us-east-1 /commerce/failover/global/us-east-1/routing-control-arn',
      'us-east-1 /commerce/failover/global/us-west-2/routing-control-arn',
      'us-west-2 /commerce/failover/cluster-endpoints',
      'us-west-2 /commerce/failover/global/us-west-2/routing-control-arn',
    ]);
    expect(parameters.find((p) => p.name.endsWith('us-west-2/routing-control-arn'))!.value).toEqual(
      arnOf('us-west-2'),
    );
    expect(wiring!.Properties.InitialStates).toEqual([
      { routingControlArn: arnOf('us-east-1'), state: 'On' },
      { routingControlArn: arnOf('us-west-2'), state: 'Off' },
    ]);
    // Five endpoints, read from ARC's DescribeCluster (not a string attribute of the cluster).
    expect(wiring!.Properties.ClusterEndpoints).toHaveLength(5);
    const [lookup] = Object.values(template.findResources('Custom::AWS'));
    expect(JSON.stringify(lookup!.Properties.Create)).toContain(
      '\\"service\\":\\"Route53RecoveryControlConfig\\",\\"action\\":\\"DescribeCluster\\"',
    );
  });

  it('lets the wiring function write only its parameters and set only these controls', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['ssm:DeleteParameter', 'ssm:PutParameter'],
            Effect: 'Allow',
            Resource: [
              'arn:aws:ssm:us-east-1:111111111111:parameter/commerce/failover/*',
              'arn:aws:ssm:us-west-2:111111111111:parameter/commerce/failover/*',
            ],
          },
        ]),
      },
    });
  });

  it('refuses a topology without a fenced zone', () => {
    const unfenced = buildModel(parseTopology({ ...validTopology(), failover: { fencing: 'none' } }));
    expect(fencedZones(unfenced)).toEqual([]);
    expect(() => new FailoverControlStack(newCommerceApp(), 'F', { model: unfenced })).toThrow(
      /no zone is fenced/,
    );
  });
});
