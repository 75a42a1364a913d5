import { Duration, Tags, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { addNagPacks } from '../../../lib/app/nag';
import { residencyValidationPlugin } from '../../../lib/residency/guardrails';
import {
  AWS_CLI_IMAGE,
  K6_IMAGE,
  LoadGeneratorStack,
  type LoadGeneratorStackProps,
  loadGeneratorRegionsFromContext,
} from '../../../lib/stacks/load-generator-stack';
import { TAG_KEYS } from '../../../lib/tagging';
import { loadTopology } from '../../../lib/topology';
import { LOAD_CONTAINERS, LOAD_STACK_OUTPUTS } from '../../../loadtests/engine/contract';
import { newCommerceApp, synthesizeCommerceApp } from '../app/synth-fixture';

const model = loadTopology();
const EXACT_VERSION_IMAGE = /:\d+\.\d+\.\d+(@sha256:[a-f0-9]{64})?$/;

/** Synthesizes one load stack with cdk-nag and the residency rules as synth-time errors. */
function synthLoadStack(overrides: Partial<LoadGeneratorStackProps> = {}) {
  const app = newCommerceApp({ bundle: true }); // the k6 script is a bundled single-file asset
  const stack = new LoadGeneratorStack(app, 'Load', { model, region: 'eu-central-1', ...overrides });
  addNagPacks(app);
  Validations.of(app).addPlugins(residencyValidationPlugin(model));
  return { app, stack };
}

describe('LoadGeneratorStack', () => {
  let stack: LoadGeneratorStack;
  let template: Template;
  beforeAll(() => {
    const built = synthLoadStack();
    stack = built.stack;
    // Act: synth throws on any cdk-nag finding or residency violation.
    built.app.synth();
    template = Template.fromStack(stack);
  });

  it('lives in the chosen region, in the account of its partition, under a derived name', () => {
    expect(stack.region).toBe('eu-central-1');
    expect(stack.account).toBe('111111111111');
    expect(stack.stackName).toBe('commerce-load-eu-central-1');
  });

  it('runs the official k6 image and the AWS CLI image, each pinned to an exact version', () => {
    const [definition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const containers = definition!.Properties.ContainerDefinitions as { Name: string; Image: string }[];
    expect(Object.fromEntries(containers.map((c) => [c.Name, c.Image]))).toEqual({
      [LOAD_CONTAINERS.fetchScript]: AWS_CLI_IMAGE,
      [LOAD_CONTAINERS.k6]: K6_IMAGE,
      [LOAD_CONTAINERS.uploadResults]: AWS_CLI_IMAGE,
    });
    expect(K6_IMAGE).toMatch(/^docker\.io\/grafana\/k6:/);
    for (const c of containers) expect(c.Image).toMatch(EXACT_VERSION_IMAGE);
  });

  it('refuses an image that is not pinned, naming the prop and the fix', () => {
    expect(() => synthLoadStack({ k6Image: 'grafana/k6:latest' })).toThrow(
      /k6Image: grafana\/k6:latest is not pinned; use an exact version tag/,
    );
    expect(() => synthLoadStack({ awsCliImage: 'public.ecr.aws/aws-cli/aws-cli:2' })).toThrow(/awsCliImage/);
    // A digest on top of the version is accepted.
    expect(() =>
      synthLoadStack({ k6Image: `docker.io/grafana/k6:2.3.0@sha256:${'a'.repeat(64)}` }),
    ).not.toThrow();
  });

  it('orders the containers: script fetched first, results uploaded after k6 ends whatever its exit code', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Volumes: [{ Name: 'work' }],
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({ Name: LOAD_CONTAINERS.fetchScript, Essential: false }),
        Match.objectLike({
          Name: LOAD_CONTAINERS.k6,
          Essential: false,
          StopTimeout: 120,
          DependsOn: [{ ContainerName: LOAD_CONTAINERS.fetchScript, Condition: 'SUCCESS' }],
          Command: Match.arrayWith(['run', Match.stringLikeRegexp('^--summary-export=/work/results/')]),
        }),
        Match.objectLike({
          Name: LOAD_CONTAINERS.uploadResults,
          Essential: true,
          DependsOn: [{ ContainerName: LOAD_CONTAINERS.k6, Condition: 'COMPLETE' }],
        }),
      ]),
    });
  });

  it('has no public ingress: a security group without ingress rules, HTTPS egress only', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    expect(Object.keys(groups)).toHaveLength(1);
    const [group] = Object.values(groups);
    expect(group!.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group!.Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '0.0.0.0/0', Description: 'HTTPS only', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
    ]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    // No load balancer or anything else that would listen.
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
  });

  it('keeps results in an encrypted, private, SSL-only bucket of its own region, with a lifecycle', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'commerce-load-results-111111111111-eu-central-1',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ Prefix: 'runs/', ExpirationInDays: 400, Status: 'Enabled' })],
      },
      Tags: Match.arrayWith([{ Key: TAG_KEYS.dataClassification, Value: 'operational' }]),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('gives the task role only: read the one script object, write under runs/ of the results bucket', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^TaskRole') }] },
    });
    const [policy] = Object.values(policies);
    const statements = policy!.Properties.PolicyDocument.Statement as {
      Action: string;
      Resource: unknown;
      Sid: string;
    }[];
    expect(statements.map((s) => [s.Sid, s.Action])).toEqual([
      ['ReadBundledScript', 's3:GetObject'],
      ['WriteResults', 's3:PutObject'],
    ]);
    // The script: one object (its content hash) in the region's CDK asset bucket, not the whole bucket.
    expect(statements[0]!.Resource).toMatch(
      /^arn:aws:s3:::cdk-[a-z0-9]+-assets-111111111111-eu-central-1\/[a-f0-9]{64}\.js$/,
    );
    expect(JSON.stringify(statements[1]!.Resource)).toMatch(/Results[A-F0-9]+","Arn"\]\},"\/runs\/\*"/);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'ecs-tasks.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:eu-central-1:111111111111:*' },
            },
          }),
        ],
      },
    });
  });

  it('gives the execution role only log writes to its own log group (public images need no registry access)', () => {
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^K6TaskExecutionRole') }] },
    });
    const [policy] = Object.values(policies);
    expect(policy!.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^TaskLogs/), 'Arn'] },
      },
    ]);
  });

  it('keeps the containers’ logs and the rejected-traffic flow logs a month', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(2);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'commerce-load',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('publishes what the engine reads to run tasks there', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(Object.values(LOAD_STACK_OUTPUTS).sort());
    expect(outputs[LOAD_STACK_OUTPUTS.taskDefinition]!.Value).toBe('commerce-load-k6');
  });

  it('fails synth when a resource loses its data classification (the residency rules run on it)', () => {
    // Prepare: the same stack with the results bucket's classification tag removed.
    const { app, stack: probe } = synthLoadStack();
    Tags.of(probe).remove(TAG_KEYS.dataClassification);
    // Act + Assess
    expect(() => app.synth()).toThrow(/ResidencyTagged/);
  });

  it('validates props first, naming the prop and the fix', () => {
    expect(() => synthLoadStack({ region: 'mars-north-1' })).toThrow(/region: mars-north-1 is not a region/);
    expect(() => synthLoadStack({ taskCpu: 3000 })).toThrow(/taskCpu: 3000 is not a Fargate size/);
    expect(() => synthLoadStack({ resultRetention: Duration.days(30) })).not.toThrow();
  });
});

describe('loadGeneratorRegionsFromContext', () => {
  it('reads a comma-separated context value or a list; absent means none', () => {
    expect(loadGeneratorRegionsFromContext(model, 'us-east-1, eu-central-1')).toEqual([
      'us-east-1',
      'eu-central-1',
    ]);
    expect(loadGeneratorRegionsFromContext(model, ['eusc-de-east-1'])).toEqual(['eusc-de-east-1']);
    expect(loadGeneratorRegionsFromContext(model, undefined)).toEqual([]);
  });

  it('rejects unknown regions, partitions without an account and duplicates', () => {
    expect(() => loadGeneratorRegionsFromContext(model, 'us-east-1,moon-1')).toThrow(
      /moon-1 is not a region/,
    );
    expect(() => loadGeneratorRegionsFromContext(model, 'cn-north-1')).toThrow(/accounts\.aws-cn/);
    expect(() => loadGeneratorRegionsFromContext(model, 'us-east-1,us-east-1')).toThrow(/each region once/);
  });
});

describe('the app with load generators', () => {
  it('is not deployed by default, and joins the app with cdk-nag and the residency rules passing', () => {
    // Prepare + Act: the default topology, with and without two load regions (nag + residency at synth).
    const plain = synthesizeCommerceApp('topology.yaml', { nag: false, residency: false });
    const withLoad = synthesizeCommerceApp('topology.yaml', {
      nag: true,
      loadGeneratorRegions: ['us-east-1', 'eu-central-1'],
    });
    // Assess
    expect(plain.built.loadGenerators).toEqual([]);
    expect(withLoad.built.loadGenerators.map((s) => s.stackName)).toEqual([
      'commerce-load-us-east-1',
      'commerce-load-eu-central-1',
    ]);
    expect(withLoad.built.rows.filter((r) => r.role === 'load generator').map((r) => r.region)).toEqual([
      'us-east-1',
      'eu-central-1',
    ]);
  });
});
