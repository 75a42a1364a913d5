import { resolve } from 'node:path';
import {
  AssetHashType,
  BundlingOutput,
  CfnOutput,
  DockerImage,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
} from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';
import { z } from 'zod';
import {
  K6_ENV,
  K6_SUMMARY_EXPORT_FILE,
  LOAD_CONTAINERS,
  LOAD_STACK_OUTPUTS,
  loadGeneratorStackName,
  RESULTS_PREFIX_ENV,
  RESULTS_ROOT,
} from '../../loadtests/engine/contract';
import { bundleK6ScriptsSync, DISTRIBUTED_K6_SCRIPT } from '../../loadtests/engine/k6-bundle';
import { acknowledge, nagFindingText } from '../constructs/nag-acknowledgements';
import { SHARED_ZONE_TAG, TAG_KEYS } from '../tagging';
import { regionFacts, type TopologyModel } from '../topology';
import { tagZone } from './zone-tags';

/**
 * Load generators for drills at production scale, in one region the operator
 * chooses: the pattern of AWS's "Distributed Load Testing on AWS" solution
 * (ECS Fargate tasks running a load tool, results in S3), provisioned from
 * the topology and running the project's own k6 scripts (one bundle,
 * loadtests/k6/distributed.ts, built from loadtests/profiles.ts at synth).
 *
 * Not deployed by default: opt in per region with the `loadGenerators`
 * context value (see loadGeneratorRegionsFromContext).
 *
 * A task has three containers sharing one ephemeral volume:
 *  1. fetch-script (AWS CLI image): copies the bundled script from the CDK asset bucket, exits 0;
 *  2. k6 (the official grafana/k6 image): runs it; its environment (profile, target, share of the
 *     load, results directory) comes from RunTask's overrides (loadtests/engine/aws-ecs-engine.ts);
 *  3. upload-results (AWS CLI image, the essential one): once k6 has exited, whatever its exit code
 *     (99 = thresholds failed), copies the k6 JSON summary and the --summary-export file to the
 *     results bucket under runs/<run>/<region>/task-<n>/, then exits, which ends the task.
 *
 * Networking: its own VPC with two public subnets and no NAT gateway. The
 * target is the public API (the load must come from the region's internet
 * edge, as customers' requests do), the images come from public registries,
 * and a NAT gateway would add a standing hourly cost and a throughput limit
 * to a stack that sits idle between drills. The tasks get public IPs but
 * their security group has no ingress rule at all, so nothing can connect in;
 * egress is TCP 443 only (the target is an https API; its addresses are
 * CloudFront/API Gateway ranges, not something a security group can name).
 */

/**
 * The official images, pinned to exact versions. By tag, not digest: no
 * registry is reachable where this was written, so a digest could not be
 * verified, and a wrong digest fails every pull. Pin the digest where you
 * can verify it (`docker buildx imagetools inspect grafana/k6:2.3.0`) with the
 * k6Image/awsCliImage props: `grafana/k6:2.3.0@sha256:<index digest>`.
 */
export const K6_IMAGE = 'docker.io/grafana/k6:2.3.0';
export const AWS_CLI_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.36.15';

/** An image with an exact version tag (x.y.z), optionally pinned further by digest; never `latest` or `v2`. */
const PINNED_IMAGE = /^[a-z0-9.-]+(\/[a-z0-9._-]+)+:\d+\.\d+\.\d+(@sha256:[a-f0-9]{64})?$/;

/** The volume every container mounts, and what lives in it. */
const WORK_DIR = '/work';
const SCRIPT_PATH = `${WORK_DIR}/script.js`;
const RESULTS_DIR = `${WORK_DIR}/results`;

export const loadGeneratorRegionsSchema = z
  .union([
    z.string().transform((value) =>
      value
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r.length > 0),
    ),
    z.array(z.string()),
  ])
  .pipe(z.array(z.string()).refine((r) => new Set(r).size === r.length, 'each region once'));

/**
 * The regions to provision load generators in, from the `loadGenerators`
 * context value (`-c loadGenerators=us-east-1,eu-central-1`, or a list in
 * cdk.json to keep it). Every region must be known and in a partition the
 * topology has an account for. Absent: none.
 */
export function loadGeneratorRegionsFromContext(model: TopologyModel, value: unknown): readonly string[] {
  if (value === undefined) return [];
  const parsed = loadGeneratorRegionsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `context loadGenerators: ${parsed.error.issues.map((i) => i.message).join('; ')}; give a comma-separated list of regions, e.g. -c loadGenerators=us-east-1,eu-central-1`,
    );
  }
  const problems = parsed.data.flatMap((region) => {
    const facts = regionFacts(region);
    if (!facts) return [`${region} is not a region of lib/topology/regions.ts`];
    if (!model.config.accounts[facts.partition])
      return [
        `${region} is in partition ${facts.partition}, which has no account in the topology (accounts.${facts.partition})`,
      ];
    return [];
  });
  if (problems.length > 0) throw new Error(`context loadGenerators: ${problems.join('; ')}`);
  return parsed.data;
}

export interface LoadGeneratorStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly model: TopologyModel;
  /** Region the load is generated from (a region of lib/topology/regions.ts with an account in the topology). */
  readonly region: string;
  /** vCPU units of a task (Fargate: 256-16384). @default 2048 */
  readonly taskCpu?: number;
  /** Memory of a task in MiB, valid for taskCpu on Fargate. @default 4096 */
  readonly taskMemoryMiB?: number;
  /** How long results stay in the bucket (a year and a quarter: this quarter beside the same one last year). @default 400 days */
  readonly resultRetention?: Duration;
  /** Retention of the containers' logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** k6 image, exact version (optionally @sha256 digest). @default K6_IMAGE */
  readonly k6Image?: string;
  /** AWS CLI image, exact version (optionally @sha256 digest). @default AWS_CLI_IMAGE */
  readonly awsCliImage?: string;
}

export class LoadGeneratorStack extends Stack {
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly resultsBucket: s3.Bucket;
  readonly securityGroup: ec2.SecurityGroup;
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: LoadGeneratorStackProps) {
    const { model, region, ...rest } = props;
    const facts = regionFacts(region);
    const problems: string[] = [];
    if (!facts) problems.push(`region: ${region} is not a region of lib/topology/regions.ts`);
    const account = facts ? model.config.accounts[facts.partition] : undefined;
    if (facts && !account)
      problems.push(
        `region: ${region} is in partition ${facts.partition}; add accounts.${facts.partition} to the topology`,
      );
    const k6Image = props.k6Image ?? K6_IMAGE;
    const awsCliImage = props.awsCliImage ?? AWS_CLI_IMAGE;
    for (const [prop, image] of [
      ['k6Image', k6Image],
      ['awsCliImage', awsCliImage],
    ] as const) {
      if (!PINNED_IMAGE.test(image))
        problems.push(
          `${prop}: ${image} is not pinned; use an exact version tag such as ${prop === 'k6Image' ? K6_IMAGE : AWS_CLI_IMAGE} (optionally @sha256:<digest>)`,
        );
    }
    const cpu = props.taskCpu ?? 2048;
    const memory = props.taskMemoryMiB ?? 4096;
    if (![256, 512, 1024, 2048, 4096, 8192, 16384].includes(cpu))
      problems.push(`taskCpu: ${cpu} is not a Fargate size; use 256, 512, 1024, 2048, 4096, 8192 or 16384`);
    if (!Number.isInteger(memory) || memory < 512 || memory > 122_880)
      problems.push(`taskMemoryMiB: ${memory} is outside Fargate's 512-122880 MiB`);
    if (problems.length > 0) throw new Error(`LoadGeneratorStack ${id}: ${problems.join('; ')}`);

    super(scope, id, {
      ...rest,
      stackName: loadGeneratorStackName(model.appName, region),
      env: { account: account!, region },
      description: `${model.appName}: k6 load generators on ECS Fargate in ${region} (drills at production scale)`,
    });
    // Serves every zone's drills and holds no zone's data: load-test metrics only (operational).
    tagZone(this, model, { name: SHARED_ZONE_TAG, residency: 'none' }, 'operational');
    const partition = facts!.partition;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.80.0.0/24'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'load', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 26 }],
      // The tasks never use the default security group; stripping it would need a custom-resource Lambda.
      restrictDefaultSecurityGroup: false,
    });
    const flowLogs = new logs.LogGroup(this, 'RejectedTrafficLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Rejected packets only: the record of anything trying to reach the generators, without logging the load itself.
    this.vpc.addFlowLog('RejectedTraffic', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      allowAllOutbound: false,
      description:
        'k6 load generator tasks: no ingress; HTTPS out to the target API, S3, image registries and CloudWatch Logs',
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS only');

    this.resultsBucket = new s3.Bucket(this, 'Results', {
      bucketName: `${model.appName}-load-results-${account}-${region}`,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: false,
      lifecycleRules: [
        {
          prefix: RESULTS_ROOT,
          expiration: props.resultRetention ?? Duration.days(400),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // k6 summaries of synthetic traffic: latencies, counts, thresholds; no request or response bodies.
    Tags.of(this.resultsBucket).add(TAG_KEYS.dataClassification, 'operational');
    acknowledge(this.resultsBucket, {
      id: 'AwsSolutions-S1',
      reason:
        'Holds only k6 summaries of synthetic load (no personal data), written by the load task role and read by the drill operator; access is recorded by CloudTrail',
    });

    const script = new s3assets.Asset(this, 'K6Script', {
      path: resolve(__dirname, '..', '..', 'loadtests'),
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Only used if local bundling were impossible; esbuild is a dependency of this project, so it never is.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:20'),
        outputType: BundlingOutput.SINGLE_FILE,
        local: {
          tryBundle(outputDir: string) {
            bundleK6ScriptsSync(outputDir, [DISTRIBUTED_K6_SCRIPT]);
            return true;
          },
        },
      },
    });

    const logGroup = new logs.LogGroup(this, 'TaskLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: `${model.appName}-load`,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });

    const taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': account! },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:ecs:${region}:${account}:*` },
        },
      }),
      description: 'k6 load tasks: read the bundled script, write results under runs/ of the results bucket',
    });
    taskRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadBundledScript',
        actions: ['s3:GetObject'],
        resources: [script.bucket.arnForObjects(script.s3ObjectKey)],
      }),
    );
    const resultObjects = this.resultsBucket.arnForObjects(`${RESULTS_ROOT}*`);
    taskRole.addToPolicy(
      new iam.PolicyStatement({ sid: 'WriteResults', actions: ['s3:PutObject'], resources: [resultObjects] }),
    );
    acknowledge(taskRole, {
      id: `AwsSolutions-IAM5[Resource::${nagFindingText(taskRole, resultObjects)}]`,
      reason:
        'Each task writes its own files under runs/<run>/<region>/task-<n>/; the run id is chosen at RunTask time',
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'K6Task', {
      family: `${model.appName}-load-k6`,
      cpu,
      memoryLimitMiB: memory,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      taskRole,
      volumes: [{ name: 'work' }],
    });
    const logging = (streamPrefix: string) => ecs.LogDrivers.awsLogs({ logGroup, streamPrefix });
    const mountWork = (container: ecs.ContainerDefinition) =>
      container.addMountPoints({ sourceVolume: 'work', containerPath: WORK_DIR, readOnly: false });

    const fetchScript = this.taskDefinition.addContainer('FetchScript', {
      containerName: LOAD_CONTAINERS.fetchScript,
      image: ecs.ContainerImage.fromRegistry(awsCliImage),
      essential: false,
      entryPoint: ['/bin/sh', '-c'],
      command: [
        // k6 runs as a non-root user: leave it a writable results directory and a readable script.
        `set -eu; mkdir -p ${RESULTS_DIR}; chmod 0777 ${RESULTS_DIR}; aws s3 cp --only-show-errors "$SCRIPT_URI" ${SCRIPT_PATH}; chmod 0644 ${SCRIPT_PATH}`,
      ],
      environment: { SCRIPT_URI: script.s3ObjectUrl },
      logging: logging(LOAD_CONTAINERS.fetchScript),
    });
    mountWork(fetchScript);

    const k6 = this.taskDefinition.addContainer('K6', {
      containerName: LOAD_CONTAINERS.k6,
      image: ecs.ContainerImage.fromRegistry(k6Image),
      essential: false,
      command: [
        'run',
        '--no-usage-report',
        `--summary-export=${RESULTS_DIR}/${K6_SUMMARY_EXPORT_FILE}`,
        SCRIPT_PATH,
      ],
      // Defaults; RunTask overrides them per task. No secret here: the bearer token comes with RunTask.
      environment: { [K6_ENV.summaryDir]: RESULTS_DIR, [K6_ENV.profile]: 'smoke' },
      // On StopTask k6 gets SIGTERM and this long to end its test and write its summary.
      stopTimeout: Duration.seconds(120),
      logging: logging(LOAD_CONTAINERS.k6),
    });
    mountWork(k6);
    k6.addContainerDependencies({
      container: fetchScript,
      condition: ecs.ContainerDependencyCondition.SUCCESS,
    });

    const upload = this.taskDefinition.addContainer('UploadResults', {
      containerName: LOAD_CONTAINERS.uploadResults,
      image: ecs.ContainerImage.fromRegistry(awsCliImage),
      essential: true,
      entryPoint: ['/bin/sh', '-c'],
      command: [
        `set -eu; aws s3 cp --recursive --only-show-errors ${RESULTS_DIR} "s3://$RESULTS_BUCKET/$${RESULTS_PREFIX_ENV}"`,
      ],
      environment: {
        RESULTS_BUCKET: this.resultsBucket.bucketName,
        [RESULTS_PREFIX_ENV]: `${RESULTS_ROOT}unnamed/`,
      },
      logging: logging(LOAD_CONTAINERS.uploadResults),
    });
    mountWork(upload);
    // COMPLETE, not SUCCESS: k6 exits 99 when a threshold fails, and those results matter most.
    upload.addContainerDependencies({ container: k6, condition: ecs.ContainerDependencyCondition.COMPLETE });

    acknowledge(this.taskDefinition, {
      id: 'AwsSolutions-ECS2',
      reason:
        'The environment holds S3 locations and k6 settings, no secret; the per-run values (target, token) come with RunTask overrides',
    });

    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(LOAD_STACK_OUTPUTS.cluster, this.cluster.clusterName, 'ECS cluster the load tasks run in');
    output(
      LOAD_STACK_OUTPUTS.taskDefinition,
      this.taskDefinition.family,
      'Task definition family (latest revision is run)',
    );
    output(
      LOAD_STACK_OUTPUTS.subnets,
      Fn.join(
        ',',
        this.vpc.publicSubnets.map((s) => s.subnetId),
      ),
      'Public subnets of the load tasks',
    );
    output(
      LOAD_STACK_OUTPUTS.securityGroup,
      this.securityGroup.securityGroupId,
      'Security group of the load tasks (no ingress)',
    );
    output(
      LOAD_STACK_OUTPUTS.resultsBucket,
      this.resultsBucket.bucketName,
      'Bucket with the k6 summaries of every run',
    );
  }

  /**
   * The first two AZs as deploy-time tokens: the stack has a concrete env, and
   * CDK would otherwise look AZs up at synth, which needs credentials (this
   * project synthesizes without any).
   */
  override get availabilityZones(): string[] {
    return [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())];
  }
}
