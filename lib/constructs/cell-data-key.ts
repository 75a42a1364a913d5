import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge, nagFindingText } from './nag-acknowledgements';
import { dataKeyAliasName } from './resource-names';

export interface CellDataKeyProps {
  readonly appName: string;
  readonly zone: string;
  /**
   * Name of an event bus in this region that is encrypted with this key but
   * defined in another stack (which cannot add to this key's policy): EventBridge
   * gets use of the key for that bus only.
   * @default - none (a bus in the same stack adds its own statement)
   */
  readonly externalEventBusName?: string;
}

/**
 * The customer-managed key of one zone in one region: encrypts the table (or
 * its replica), the queues and the event bus of that cell. The alias name is
 * deterministic so the zone's primary can name the replica key by ARN and the
 * secondary cell can use it without a cross-stack reference.
 */
export class CellDataKey extends Construct {
  readonly key: kms.Key;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: CellDataKeyProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!props.appName) problems.push('appName: must be the topology appName');
    if (!props.zone) problems.push('zone: must be the zone name');
    if (problems.length > 0) throw new Error(`CellDataKey ${this.node.path}: ${problems.join('; ')}`);

    this.aliasName = dataKeyAliasName(props.appName, props.zone);
    this.key = new kms.Key(this, 'Key', {
      description: `${props.appName} zone ${props.zone}: commerce data, queues and events`,
      enableKeyRotation: true,
      // Losing the key loses the data (and PITR backups): never delete it with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      alias: this.aliasName,
    });
    const stack = Stack.of(this);
    // The cell's API access logs (client IPs) are encrypted with this key: CloudWatch Logs of this
    // region may use it for this account's log groups only.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.externalEventBusName) {
      const busArn = stack.formatArn({
        service: 'events',
        resource: 'event-bus',
        resourceName: props.externalEventBusName,
      });
      // The same statement aws-events adds for a bus encrypted with a key of its own stack.
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('events.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
          resources: ['*'],
          conditions: {
            StringEquals: {
              'aws:SourceAccount': stack.account,
              'aws:SourceArn': busArn,
              'kms:EncryptionContext:aws:events:event-bus:arn': busArn,
            },
          },
        }),
      );
    }
  }
}

/**
 * Actions a cell's functions need on its data key: SQS, EventBridge and DynamoDB (Streams) encrypt and
 * decrypt with data keys (GenerateDataKey, Decrypt). Nothing calls kms:Encrypt or re-encrypts.
 */
const DATA_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * The zone's data key in this stack's region, addressed by its deterministic
 * alias (created by another stack of the same region). Encryption settings get
 * the alias ARN, which SQS, EventBridge and DynamoDB accept; since IAM cannot
 * name a key by alias, `grant` allows use of whichever key carries the alias
 * (kms:ResourceAliases), so no Fn::ImportValue ties the stacks together.
 */
export class AliasedDataKey extends Construct {
  readonly key: kms.IAlias;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: Pick<CellDataKeyProps, 'appName' | 'zone'>) {
    super(scope, id);
    this.aliasName = dataKeyAliasName(props.appName, props.zone);
    this.key = kms.Alias.fromAliasName(this, 'Alias', this.aliasName);
  }

  grant(role: iam.Role): void {
    const anyKeyInRegion = Stack.of(this).formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: DATA_KEY_ACTIONS,
        resources: [anyKeyInRegion],
        conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': this.aliasName } },
      }),
    );
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::${nagFindingText(role, anyKeyInRegion)}]`,
      reason: `Limited by condition kms:ResourceAliases = ${this.aliasName} to the zone's data key in this region (IAM cannot name a key by alias)`,
    });
  }
}
