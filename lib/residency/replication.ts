import { regionFacts } from '../topology/regions';
import { localReference, parseArn, resolveString, type StackScope } from './intrinsics';
import { type Inventory, type InventoryResource, sameStackResource } from './inventory';

/**
 * Where a resource sends copies of its data: global table replicas, S3
 * replication destinations, log subscription destinations, cross-region
 * event and notification targets. `region` is undefined when the template
 * alone cannot tell, which the rules treat as "cannot prove it stays".
 */
export interface ReplicationTarget {
  readonly kind:
    | 'dynamodb-replica'
    | 's3-replication'
    | 'log-subscription'
    | 'event-target'
    | 'sns-subscription'
    | 'kms-primary-key';
  /** Location in the resource, e.g. `Properties/Replicas/1/Region`. */
  readonly location: string;
  /** What the template names: a region, an ARN, a bucket name. */
  readonly target: string;
  readonly region?: string;
}

export function stackScope(resource: InventoryResource): StackScope {
  return {
    ...(resource.stack.region ? { region: resource.stack.region } : {}),
    ...(resource.stack.account ? { account: resource.stack.account } : {}),
    partition: resource.stack.partition ?? 'aws',
  };
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Region of an ARN-valued property: a local reference lives in the stack's region; an ARN names its own. */
export function arnRegion(value: unknown, resource: InventoryResource): string | undefined {
  if (localReference(value)) return resource.stack.region;
  const text = resolveString(value, stackScope(resource));
  const arn = text ? parseArn(text) : undefined;
  return arn?.region ? arn.region : undefined;
}

function bucketNameOf(resource: InventoryResource): string | undefined {
  return resolveString(resource.properties.BucketName, stackScope(resource));
}

/** The region of a replication destination bucket: the same stack, or a bucket of the assembly with that name. */
function destinationBucketRegion(
  value: unknown,
  resource: InventoryResource,
  inventory: Inventory,
): string | undefined {
  const local = localReference(value);
  if (local) return sameStackResource(inventory, resource, local.logicalId)?.stack.region;
  const text = resolveString(value, stackScope(resource));
  if (!text) return undefined;
  const name = text.startsWith('arn:') ? parseArn(text)?.resource : text;
  const bucket = inventory.resources.find((r) => r.type === 'AWS::S3::Bucket' && bucketNameOf(r) === name);
  return bucket?.stack.region;
}

function dynamoDbReplicas(resource: InventoryResource): ReplicationTarget[] {
  const replicas = resource.properties.Replicas;
  if (!Array.isArray(replicas)) return [];
  return replicas.flatMap((replica, index): ReplicationTarget[] => {
    const region = resolveString(replica?.Region, stackScope(resource));
    if (region !== undefined && region === resource.stack.region) return [];
    return [
      {
        kind: 'dynamodb-replica',
        location: `Properties/Replicas/${index}/Region`,
        target: describe(replica?.Region),
        ...(region ? { region } : {}),
      },
    ];
  });
}

function s3Replication(resource: InventoryResource, inventory: Inventory): ReplicationTarget[] {
  const config = resource.properties.ReplicationConfiguration as { Rules?: unknown } | undefined;
  if (!config || !Array.isArray(config.Rules)) return [];
  return config.Rules.map((rule, index) => {
    const bucket = rule?.Destination?.Bucket;
    const region = destinationBucketRegion(bucket, resource, inventory);
    return {
      kind: 's3-replication' as const,
      location: `Properties/ReplicationConfiguration/Rules/${index}/Destination/Bucket`,
      target: describe(bucket),
      ...(region ? { region } : {}),
    };
  });
}

function arnTarget(
  kind: ReplicationTarget['kind'],
  value: unknown,
  location: string,
  resource: InventoryResource,
): ReplicationTarget {
  const region = arnRegion(value, resource);
  return { kind, location, target: describe(value), ...(region ? { region } : {}) };
}

export function replicationTargets(resource: InventoryResource, inventory: Inventory): ReplicationTarget[] {
  const p = resource.properties;
  switch (resource.type) {
    case 'AWS::DynamoDB::GlobalTable':
      return dynamoDbReplicas(resource);
    case 'Custom::DynamoDBReplica': {
      // The legacy `Table.replicationRegions` custom resource: one resource per replica region.
      const region = resolveString(p.Region, stackScope(resource));
      return [
        {
          kind: 'dynamodb-replica',
          location: 'Properties/Region',
          target: describe(p.Region),
          ...(region ? { region } : {}),
        },
      ];
    }
    case 'AWS::S3::Bucket':
      return s3Replication(resource, inventory);
    case 'AWS::Logs::SubscriptionFilter':
      return [arnTarget('log-subscription', p.DestinationArn, 'Properties/DestinationArn', resource)];
    case 'AWS::Events::Rule':
      return Array.isArray(p.Targets)
        ? p.Targets.map((t, i) => arnTarget('event-target', t?.Arn, `Properties/Targets/${i}/Arn`, resource))
        : [];
    case 'AWS::SNS::Subscription':
      return String(p.Endpoint ?? '').startsWith('arn:') || localReference(p.Endpoint)
        ? [arnTarget('sns-subscription', p.Endpoint, 'Properties/Endpoint', resource)]
        : [];
    case 'AWS::KMS::ReplicaKey':
      return [arnTarget('kms-primary-key', p.PrimaryKeyArn, 'Properties/PrimaryKeyArn', resource)];
    default:
      return [];
  }
}

export function partitionOfRegion(region: string | undefined): string | undefined {
  return region ? regionFacts(region)?.partition : undefined;
}
