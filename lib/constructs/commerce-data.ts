import { RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import {
  COMMERCE_TABLE,
  commerceTableName,
  type KeyAttribute,
} from '../../lambdas/adapters/table-definitions';
import type { DataClassification } from '../../lambdas/core/data-classification';
import { TAG_KEYS } from '../tagging';
import type { Cell } from '../topology';
import { acknowledgeCustomResourceProvider } from './nag-acknowledgements';

export interface CommerceDataProps {
  readonly appName: string;
  readonly cell: Cell;
  /** This region's customer-managed key (the cell's own data key). */
  readonly key: kms.IKey;
  /**
   * Primary cell of a two-region zone only: ARN (an alias ARN is fine) of the
   * replica region's data key, keyed by region.
   * @default - no replica (single-region zone, or a secondary cell)
   */
  readonly replicaKeyArns?: Readonly<Record<string, string>>;
  /** @default 'personal' (carts, orders and customers live in this table) */
  readonly dataClassification?: DataClassification;
}

const attribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
});

/**
 * The zone's commerce table as seen from one cell. The primary cell defines the
 * global table (PITR, deletion protection, stream, TTL, customer-managed key)
 * with its replica in the secondary region; the secondary cell never defines a
 * table: it addresses the local replica by its deterministic name and reads the
 * replica's stream ARN in its own region at deploy time.
 */
export class CommerceData extends Construct {
  readonly table: dynamodb.ITableV2;
  readonly tableName: string;
  /** Set only in the primary cell. */
  readonly globalTable?: dynamodb.TableV2;
  /** Regions the primary replicates to (empty in a secondary or single-region cell). */
  readonly replicaRegions: readonly string[];

  constructor(scope: Construct, id: string, props: CommerceDataProps) {
    super(scope, id);
    const { cell } = props;
    const replicaKeyArns = props.replicaKeyArns ?? {};
    const problems: string[] = [];
    if (cell.role === 'secondary' && Object.keys(replicaKeyArns).length > 0) {
      problems.push('replicaKeyArns: only the primary cell defines replicas; omit it for a secondary');
    }
    if (cell.role === 'primary' && cell.peerRegion && !replicaKeyArns[cell.peerRegion]) {
      problems.push(
        `replicaKeyArns: missing the key of replica region ${cell.peerRegion}; pass { '${cell.peerRegion}': dataKeyAliasArn(...) }`,
      );
    }
    for (const region of Object.keys(replicaKeyArns)) {
      if (region !== cell.peerRegion) {
        problems.push(
          `replicaKeyArns: ${region} is not this zone's secondary region (${cell.peerRegion ?? 'none'}); a replica outside the zone breaks residency`,
        );
      }
    }
    if (problems.length > 0) throw new Error(`CommerceData ${this.node.path}: ${problems.join('; ')}`);

    this.tableName = commerceTableName(props.appName, cell.zone);

    if (cell.role === 'primary') {
      this.replicaRegions = cell.peerRegion ? [cell.peerRegion] : [];
      const table = new dynamodb.TableV2(this, 'Table', {
        tableName: this.tableName,
        partitionKey: attribute(COMMERCE_TABLE.partitionKey),
        sortKey: attribute(COMMERCE_TABLE.sortKey),
        globalSecondaryIndexes: COMMERCE_TABLE.globalSecondaryIndexes.map((index) => ({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          sortKey: attribute(index.sortKey),
        })),
        timeToLiveAttribute: COMMERCE_TABLE.timeToLiveAttribute,
        dynamoStream: dynamodb.StreamViewType[COMMERCE_TABLE.streamViewType],
        billing: dynamodb.Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        encryption: dynamodb.TableEncryptionV2.customerManagedKey(props.key, { ...replicaKeyArns }),
        replicas: this.replicaRegions.map((region) => ({ region })),
      });
      this.globalTable = table;
      this.table = table;
    } else {
      this.replicaRegions = [];
      const tableArn = Stack.of(this).formatArn({
        service: 'dynamodb',
        resource: 'table',
        resourceName: this.tableName,
      });
      // A replica's stream ARN carries a creation timestamp: it cannot be derived,
      // and reading it from the primary would be a cross-region reference.
      const streamLookup = new cr.AwsCustomResource(this, 'ReplicaStreamArn', {
        onUpdate: {
          service: 'DynamoDB',
          action: 'describeTable',
          parameters: { TableName: this.tableName },
          physicalResourceId: cr.PhysicalResourceId.fromResponse('Table.LatestStreamArn'),
          outputPaths: ['Table.LatestStreamArn'],
        },
        policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [tableArn] }),
        installLatestAwsSdk: false,
      });
      this.table = dynamodb.TableV2.fromTableAttributes(this, 'Replica', {
        tableName: this.tableName,
        tableStreamArn: streamLookup.getResponseField('Table.LatestStreamArn'),
        encryptionKey: props.key,
        globalIndexes: COMMERCE_TABLE.globalSecondaryIndexes.map((index) => index.indexName),
      });
      acknowledgeCustomResourceProvider(
        this,
        'one DescribeTable call at deploy time to read the replica stream ARN',
      );
    }
    Tags.of(this).add(TAG_KEYS.dataClassification, props.dataClassification ?? 'personal');
  }
}
