import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as fis from 'aws-cdk-lib/aws-fis';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct, IConstruct } from 'constructs';
import { commerceTableName } from '../../lambdas/adapters/table-definitions';
import { acknowledge, nagFindingText } from '../constructs/nag-acknowledgements';
import { PARTITION_CAPABILITIES, type TopologyModel, type Zone, zoneByName } from '../topology';
import { tagZone } from './zone-tags';

/**
 * AWS FIS experiment templates for a zone's failover drills, in the zone's
 * primary region: Lambda invocation errors on the primary API function (via
 * the FIS Lambda extension, which reads its fault configuration from an S3
 * bucket this stack owns) and, for zones with a secondary, a pause of the
 * DynamoDB global table's replication. Every template stops on the given
 * CloudWatch alarms. Resources of other stacks are found by deterministic
 * names passed as props, never by cross-stack references.
 */

/** Prefix inside the configuration bucket that FIS writes and the extension reads. */
export const FIS_CONFIG_PREFIX = 'FisConfigs/';
/** SSM public parameter with the FIS Lambda extension layer ARN of the region (arm64, the API's architecture). */
export const FIS_EXTENSION_LAYER_PARAMETER =
  '/aws/service/fis/lambda-extension/AWS-FIS-extension-arm64/1.x.x';

/**
 * Zones that get a DrillStack and the FIS Lambda extension: a failover drill needs a secondary to fail
 * over to, FIS must exist in the partition, and the topology must not have opted out (`drills.fis`).
 */
export function fisDrillZones(model: TopologyModel): readonly Zone[] {
  return model.config.drills.fis
    ? model.zones.filter((zone) => zone.secondary !== undefined && PARTITION_CAPABILITIES[zone.partition].fis)
    : [];
}

/** Outputs of a DrillStack: the experiment template ids the AWS drill (chaos/aws) starts. */
export const DRILL_STACK_OUTPUTS = {
  lambdaErrorsTemplate: 'LambdaErrorsTemplateId',
  replicationPauseTemplate: 'ReplicationPauseTemplateId',
} as const;

export function drillStackName(model: TopologyModel, zone: string): string {
  return `${model.appName}-drills-${zone}`;
}

/** The FIS configuration bucket of a zone's primary region: a pure function, so the cell stack can name it too. */
export function fisConfigBucketName(model: TopologyModel, zone: Zone): string {
  return `${model.appName}-${zone.name}-fis-config-${zone.primary.account}-${zone.primary.region}`;
}

/**
 * What the primary API function needs for the FIS Lambda extension: the layer,
 * two environment variables, and read access to the configuration prefix.
 * The regional cell stack applies these (this stack does not own the function).
 */
export function fisLambdaExtension(scope: IConstruct, model: TopologyModel, zone: Zone) {
  const bucket = fisConfigBucketName(model, zone);
  const partition = zone.partition;
  const configObjectsArn = `arn:${partition}:s3:::${bucket}/${FIS_CONFIG_PREFIX}*`;
  return {
    configObjectsArn,
    layerArn: ssm.StringParameter.valueForStringParameter(scope as Construct, FIS_EXTENSION_LAYER_PARAMETER),
    environment: {
      AWS_FIS_CONFIGURATION_LOCATION: `arn:${partition}:s3:::${bucket}/${FIS_CONFIG_PREFIX}`,
      AWS_LAMBDA_EXEC_WRAPPER: '/opt/aws-fis/bootstrap',
    },
    readStatements: [
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [`arn:${partition}:s3:::${bucket}`],
        conditions: { StringLike: { 's3:prefix': [`${FIS_CONFIG_PREFIX}*`] } },
      }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [configObjectsArn],
      }),
    ],
  };
}

export interface DrillStackProps extends Omit<StackProps, 'env' | 'stackName'> {
  readonly model: TopologyModel;
  /** Zone whose primary cell the experiments target. */
  readonly zone: string;
  /** Deterministic name of the primary cell's API Lambda function. */
  readonly apiFunctionName: string;
  /** Deterministic names of the CloudWatch alarms (in the primary region) that stop every experiment. */
  readonly stopConditionAlarmNames: readonly string[];
  /** @default the zone's commerce table name (lambdas/adapters/table-definitions.ts) */
  readonly tableName?: string;
  /** How long each experiment's action lasts. @default 5 minutes */
  readonly faultDuration?: Duration;
  /** Share of invocations that fail during the Lambda experiment. @default 100 */
  readonly invocationErrorPercentage?: number;
}

const isoDuration = (duration: Duration) => `PT${Math.max(1, Math.round(duration.toSeconds()))}S`;

export class DrillStack extends Stack {
  /** Only while drills.lambdaFaultInjection is on (the FIS Lambda extension reads it). */
  readonly configBucket?: s3.Bucket;
  readonly role: iam.Role;
  /** Only while drills.lambdaFaultInjection is on: the primary API is then wrapped in the FIS extension. */
  readonly lambdaErrorsTemplate?: fis.CfnExperimentTemplate;
  readonly replicationPauseTemplate?: fis.CfnExperimentTemplate;

  constructor(scope: Construct, id: string, props: DrillStackProps) {
    const { model } = props;
    const zone = zoneByName(model, props.zone);
    if (!PARTITION_CAPABILITIES[zone.partition].fis) {
      throw new Error(
        `DrillStack ${id}: zone ${zone.name} is in partition ${zone.partition}, which has no AWS FIS; drill this zone with the drill-flag injector (chaos/injectors/drill-flag.ts) instead of creating a DrillStack`,
      );
    }
    if (props.stopConditionAlarmNames.length === 0) {
      throw new Error(
        `DrillStack ${id}: give at least one stopConditionAlarmNames entry; an experiment without a CloudWatch-alarm stop condition cannot stop itself`,
      );
    }
    const percentage = props.invocationErrorPercentage ?? 100;
    if (!Number.isInteger(percentage) || percentage < 1 || percentage > 100) {
      throw new Error(
        `DrillStack ${id}: invocationErrorPercentage is ${percentage}; use an integer from 1 to 100`,
      );
    }
    const { primary } = zone;
    super(scope, id, {
      ...props,
      stackName: drillStackName(model, zone.name),
      env: { account: primary.account, region: primary.region },
      description: `${model.appName}: AWS FIS failover-drill experiment templates for zone ${zone.name}`,
    });
    tagZone(this, model, zone);

    // Account, region and partition are literals from the topology: plain strings, no tokens.
    const arnPrefix = (service: string) =>
      `arn:${zone.partition}:${service}:${primary.region}:${primary.account}`;
    const functionArn = `${arnPrefix('lambda')}:function:${props.apiFunctionName}`;
    const tableName = props.tableName ?? commerceTableName(model.appName, zone.name);
    const tableArn = `${arnPrefix('dynamodb')}:table/${tableName}`;
    const stopConditions = props.stopConditionAlarmNames.map((name) => ({
      source: 'aws:cloudwatch:alarm',
      value: `${arnPrefix('cloudwatch')}:alarm:${name}`,
    }));
    const duration = isoDuration(props.faultDuration ?? Duration.minutes(5));

    this.role = new iam.Role(this, 'ExperimentRole', {
      assumedBy: new iam.ServicePrincipal('fis.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': primary.account } },
      }),
      description: `FIS experiments of the ${zone.name} zone drills: only the primary API function, the zone table and the config bucket`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ResolveTargets',
        // tag:GetResources has no resource-level permissions.
        actions: ['tag:GetResources'],
        resources: ['*'],
      }),
    );
    if (model.config.drills.lambdaFaultInjection) {
      const lambdaFaults = this.lambdaInvocationErrors(
        props,
        zone,
        functionArn,
        stopConditions,
        duration,
        percentage,
      );
      this.lambdaErrorsTemplate = lambdaFaults.template;
      this.configBucket = lambdaFaults.configBucket;
    }

    if (zone.secondary) {
      this.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'PauseGlobalTableReplication',
          actions: [
            'dynamodb:DescribeTable',
            'dynamodb:GetResourcePolicy',
            'dynamodb:PutResourcePolicy',
            'dynamodb:DeleteResourcePolicy',
          ],
          resources: [tableArn],
        }),
      );
      this.replicationPauseTemplate = new fis.CfnExperimentTemplate(this, 'ReplicationPause', {
        description: `Replication of ${tableName} between ${primary.region} and ${zone.secondary.region} paused`,
        roleArn: this.role.roleArn,
        stopConditions,
        targets: {
          ZoneTable: {
            resourceType: 'aws:dynamodb:global-table',
            resourceArns: [tableArn],
            selectionMode: 'ALL',
          },
        },
        actions: {
          PauseReplication: {
            actionId: 'aws:dynamodb:global-table-pause-replication',
            description: 'Writes stop replicating to the secondary cell; RPO grows with the pause',
            parameters: { duration },
            targets: { Tables: 'ZoneTable' },
          },
        },
        tags: { Name: `${model.appName}-${zone.name}-replication-pause` },
      });
      new CfnOutput(this, DRILL_STACK_OUTPUTS.replicationPauseTemplate, {
        value: this.replicationPauseTemplate.attrId,
        description: 'FIS experiment template id for a replication-pause drill on AWS',
      });
    }

    acknowledge(this.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'tag:GetResources (FIS target resolution) does not support resource-level permissions',
    });
  }

  private lambdaInvocationErrors(
    props: DrillStackProps,
    zone: Zone,
    functionArn: string,
    stopConditions: { source: string; value: string }[],
    duration: string,
    percentage: number,
  ): { template: fis.CfnExperimentTemplate; configBucket: s3.Bucket } {
    const { model } = props;
    const { primary } = zone;
    // Holds only fault settings FIS writes for the extension: no customer data.
    const configBucket = new s3.Bucket(this, 'FisConfigBucket', {
      bucketName: fisConfigBucketName(model, zone),
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: false,
      lifecycleRules: [{ expiration: Duration.days(1), prefix: FIS_CONFIG_PREFIX }],
      // Fixed name: a retained bucket would collide when the drill window reopens; FIS removes its
      // configuration objects after each experiment and the lifecycle rule removes leftovers in a day.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(configBucket, {
      id: 'AwsSolutions-S1',
      reason:
        'Holds only short-lived fault settings written by FIS (expire after a day); FIS experiments are recorded in CloudTrail',
    });

    const configObjects = `${configBucket.bucketArn}/${FIS_CONFIG_PREFIX}*`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LambdaFaultTarget',
        actions: ['lambda:GetFunction'],
        resources: [functionArn],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LambdaFaultConfiguration',
        actions: ['s3:PutObject', 's3:DeleteObject'],
        resources: [configObjects],
      }),
    );

    const template = new fis.CfnExperimentTemplate(this, 'LambdaInvocationErrors', {
      description: `Primary API of zone ${zone.name} (${primary.region}) fails ${percentage}% of invocations`,
      roleArn: this.role.roleArn,
      stopConditions,
      targets: {
        PrimaryApiFunction: {
          resourceType: 'aws:lambda:function',
          resourceArns: [functionArn],
          selectionMode: 'ALL',
        },
      },
      actions: {
        InjectInvocationErrors: {
          actionId: 'aws:lambda:invocation-error',
          description: 'Invocations of the primary API fail before the handler runs',
          parameters: {
            duration,
            invocationPercentage: String(percentage),
            preventExecution: 'true',
          },
          targets: { Functions: 'PrimaryApiFunction' },
        },
      },
      tags: { Name: `${model.appName}-${zone.name}-lambda-invocation-errors` },
    });
    new CfnOutput(this, DRILL_STACK_OUTPUTS.lambdaErrorsTemplate, {
      value: template.attrId,
      description:
        'FIS experiment template id: `npm run drill -- run region-failover --aws --fault fis` starts it',
    });
    acknowledge(this.role, {
      id: `AwsSolutions-IAM5[Resource::${nagFindingText(this, configObjects)}]`,
      reason: 'FIS writes and deletes one configuration object per experiment under the FisConfigs/ prefix',
    });
    return { template, configBucket };
  }
}
