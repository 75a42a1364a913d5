import { CfnOutput, CfnWaitConditionHandle, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { addNagPacks } from '../../../lib/app/nag';
import {
  DrillStack,
  type DrillStackProps,
  FIS_EXTENSION_LAYER_PARAMETER,
  fisConfigBucketName,
  fisLambdaExtension,
} from '../../../lib/stacks/drill-stack';
import { buildModel, loadTopology, parseTopology, zoneByName } from '../../../lib/topology';
import { newCommerceApp } from '../app/synth-fixture';

const shipped = loadTopology();
/** The shipped topology during a drill window (drills.lambdaFaultInjection opted in). */
const model = buildModel({
  ...shipped.config,
  drills: { ...shipped.config.drills, lambdaFaultInjection: true },
});
const props = (overrides: Partial<DrillStackProps> = {}): DrillStackProps => ({
  model,
  zone: 'global',
  apiFunctionName: 'commerce-global-us-east-1-api',
  stopConditionAlarmNames: ['commerce-global-us-east-1-api-5xx', 'commerce-global-us-east-1-api-p99'],
  faultDuration: Duration.minutes(3),
  ...overrides,
});

describe('DrillStack', () => {
  let stack: DrillStack;
  let template: Template;
  beforeAll(() => {
    stack = new DrillStack(newCommerceApp(), 'Drills', props());
    template = Template.fromStack(stack);
  });

  it("lives in the zone's primary region and account", () => {
    expect(stack.region).toBe('us-east-1');
    expect(stack.account).toBe('111111111111');
    expect(stack.stackName).toBe('commerce-drills-global');
  });

  it('has a Lambda invocation-error experiment on the primary API function, stopped by CloudWatch alarms', () => {
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: {
        PrimaryApiFunction: {
          ResourceType: 'aws:lambda:function',
          ResourceArns: ['arn:aws:lambda:us-east-1:111111111111:function:commerce-global-us-east-1-api'],
          SelectionMode: 'ALL',
        },
      },
      Actions: {
        InjectInvocationErrors: {
          ActionId: 'aws:lambda:invocation-error',
          Parameters: { duration: 'PT180S', invocationPercentage: '100', preventExecution: 'true' },
          Targets: { Functions: 'PrimaryApiFunction' },
        },
      },
      StopConditions: [
        {
          Source: 'aws:cloudwatch:alarm',
          Value: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:commerce-global-us-east-1-api-5xx',
        },
        {
          Source: 'aws:cloudwatch:alarm',
          Value: 'arn:aws:cloudwatch:us-east-1:111111111111:alarm:commerce-global-us-east-1-api-p99',
        },
      ],
    });
  });

  it('has a global-table replication pause experiment on the zone table', () => {
    template.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Targets: {
        ZoneTable: {
          ResourceType: 'aws:dynamodb:global-table',
          ResourceArns: ['arn:aws:dynamodb:us-east-1:111111111111:table/commerce-global-commerce'],
        },
      },
      Actions: {
        PauseReplication: {
          ActionId: 'aws:dynamodb:global-table-pause-replication',
          Parameters: { duration: 'PT180S' },
        },
      },
      StopConditions: Match.arrayWith([Match.objectLike({ Source: 'aws:cloudwatch:alarm' })]),
    });
    template.resourceCountIs('AWS::FIS::ExperimentTemplate', 2);
  });

  it('owns a private, TLS-only configuration bucket for the FIS Lambda extension', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'commerce-global-fis-config-111111111111-us-east-1',
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('gives FIS a least-privilege role: the named function, the zone table, the config prefix', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'fis.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
          }),
        ],
      },
    });
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties
          .PolicyDocument.Statement,
    );
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.LambdaFaultTarget).toMatchObject({
      Action: 'lambda:GetFunction',
      Resource: 'arn:aws:lambda:us-east-1:111111111111:function:commerce-global-us-east-1-api',
    });
    expect(bySid.PauseGlobalTableReplication).toMatchObject({
      Resource: 'arn:aws:dynamodb:us-east-1:111111111111:table/commerce-global-commerce',
    });
    expect([bySid.LambdaFaultConfiguration?.Action].flat().sort()).toEqual([
      's3:DeleteObject',
      's3:PutObject',
    ]);
    // Only target resolution is unscoped.
    const unscoped = statements.filter((s) => s.Resource === '*').map((s) => s.Action);
    expect(unscoped).toEqual(['tag:GetResources']);
    // Nothing broader than the actions named above.
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContainEqual(expect.stringMatching(/\*$/));
  });

  it('passes the cdk-nag packs with every finding acknowledged', () => {
    const app = newCommerceApp();
    addNagPacks(app);
    new DrillStack(app, 'Drills', props());
    expect(() => app.synth()).not.toThrow();
  });

  it('refuses a zone in a partition without FIS, with the alternative in the message', () => {
    expect(() => new DrillStack(newCommerceApp(), 'Drills', props({ zone: 'eu' }))).toThrow(
      /partition aws-eusc, which has no AWS FIS; drill this zone with the drill-flag injector/,
    );
  });

  it('refuses experiments without a stop condition', () => {
    expect(() => new DrillStack(newCommerceApp(), 'Drills', props({ stopConditionAlarmNames: [] }))).toThrow(
      /stopConditionAlarmNames/,
    );
  });

  it('outside a drill window has no Lambda fault experiment, no config bucket, only the replication pause', () => {
    const t = Template.fromStack(new DrillStack(newCommerceApp(), 'Drills', props({ model: shipped })));

    t.resourceCountIs('AWS::FIS::ExperimentTemplate', 1);
    t.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      Actions: {
        PauseReplication: Match.objectLike({ ActionId: 'aws:dynamodb:global-table-pause-replication' }),
      },
    });
    t.resourceCountIs('AWS::S3::Bucket', 0);
    expect(Object.keys(t.findOutputs('*'))).toEqual(['ReplicationPauseTemplateId']);
  });

  it('creates no replication pause for a single-region zone', () => {
    const single = buildModel(
      parseTopology({
        appName: 'commerce',
        domain: 'shop.example.com',
        hostedZone: { create: true },
        accounts: { aws: '111111111111' },
        zones: [{ name: 'global', residency: 'none', primaryRegion: 'us-east-1', geographies: ['default'] }],
        drills: { lambdaFaultInjection: true },
      }),
    );
    const t = Template.fromStack(new DrillStack(newCommerceApp(), 'Drills', props({ model: single })));
    t.resourceCountIs('AWS::FIS::ExperimentTemplate', 1);
  });

  it('tells the cell stack how to attach the FIS Lambda extension to the primary API', () => {
    const scope = new Stack(newCommerceApp(), 'Cell', {
      env: { account: '111111111111', region: 'us-east-1' },
    });
    const zone = zoneByName(model, 'global');
    const extension = fisLambdaExtension(scope, model, zone);
    expect(extension.environment).toEqual({
      AWS_FIS_CONFIGURATION_LOCATION: `arn:aws:s3:::${fisConfigBucketName(model, zone)}/FisConfigs/`,
      AWS_LAMBDA_EXEC_WRAPPER: '/opt/aws-fis/bootstrap',
    });
    expect(extension.readStatements.map((s) => s.toStatementJson().Action)).toEqual([
      's3:ListBucket',
      's3:GetObject',
    ]);
    // A template must have a resource, and the parameter must be used to be valid.
    new CfnWaitConditionHandle(scope, 'Placeholder');
    new CfnOutput(scope, 'LayerArn', { value: extension.layerArn });
    const parameters = Template.fromStack(scope).findParameters('*');
    expect(JSON.stringify(parameters)).toContain(FIS_EXTENSION_LAYER_PARAMETER);
  });
});
