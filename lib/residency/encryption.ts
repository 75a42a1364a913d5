import { localReference, parseArn, resolveString } from './intrinsics';
import { type Inventory, type InventoryResource, sameStackResource } from './inventory';
import { stackScope } from './replication';

/**
 * How a store is encrypted at rest, per copy of its data (a global table has
 * one entry per replica): which kind of key, and in which region the key is.
 */
export type KeyKind = 'customer-managed' | 'aws-managed' | 'aws-owned' | 'unresolved';

export interface EncryptionAtRest {
  readonly location: string;
  /** Region the encrypted data lives in. */
  readonly dataRegion?: string;
  readonly kind: KeyKind;
  readonly keyRegion?: string;
  /** The key as the template names it, or how the service encrypts by default. */
  readonly key: string;
}

interface ResolvedKey {
  readonly kind: KeyKind;
  readonly region?: string;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Resolve a KMS key reference. Key ids and alias names are looked up in the
 * caller's region, so they are as regional as the data; ARNs name their own
 * region; `alias/aws/...` is an AWS-managed key.
 */
export function resolveKmsKey(
  value: unknown,
  resource: InventoryResource,
  inventory: Inventory,
  dataRegion: string | undefined,
): ResolvedKey {
  const imported = importedExport(value, inventory);
  if (imported) {
    // Resolve the exported value where it was produced (same account and region, by CloudFormation's rules).
    const producer = inventory.resources.find((r) => r.stack === imported.stack);
    return producer ? resolveKmsKey(imported.value, producer, inventory, dataRegion) : { kind: 'unresolved' };
  }
  const local = localReference(value);
  if (local) {
    const target = sameStackResource(inventory, resource, local.logicalId);
    if (target?.type === 'AWS::KMS::Key' || target?.type === 'AWS::KMS::ReplicaKey') {
      return {
        kind: 'customer-managed',
        ...(resource.stack.region ? { region: resource.stack.region } : {}),
      };
    }
    if (target?.type === 'AWS::KMS::Alias') {
      return resolveKmsKey(target.properties.TargetKeyId, target, inventory, dataRegion);
    }
    return { kind: 'unresolved' };
  }
  const text = resolveString(value, stackScope(resource));
  if (!text) return { kind: 'unresolved' };
  const arn = text.startsWith('arn:') ? parseArn(text) : undefined;
  const name = arn ? arn.resource : text;
  const region = arn ? arn.region : dataRegion;
  const kind: KeyKind = name.startsWith('alias/aws/') ? 'aws-managed' : 'customer-managed';
  return { kind, ...(region ? { region } : {}) };
}

/** The export behind `{ "Fn::ImportValue": "<name>" }`, when another stack of the assembly exports it. */
function importedExport(value: unknown, inventory: Inventory) {
  if (typeof value !== 'object' || value === null) return undefined;
  const name = (value as Record<string, unknown>)['Fn::ImportValue'];
  return typeof name === 'string' ? inventory.exports?.get(name) : undefined;
}

function entry(
  location: string,
  dataRegion: string | undefined,
  resolved: ResolvedKey,
  key: string,
): EncryptionAtRest {
  return {
    location,
    ...(dataRegion ? { dataRegion } : {}),
    kind: resolved.kind,
    ...(resolved.region ? { keyRegion: resolved.region } : {}),
    key,
  };
}

function keyed(
  value: unknown,
  location: string,
  resource: InventoryResource,
  inventory: Inventory,
  fallback: { kind: KeyKind; key: string },
  dataRegion = resource.stack.region,
): EncryptionAtRest {
  if (value === undefined) return entry(location, dataRegion, { kind: fallback.kind }, fallback.key);
  return entry(location, dataRegion, resolveKmsKey(value, resource, inventory, dataRegion), describe(value));
}

type Sse = { SSEEnabled?: unknown; SSEType?: unknown; KMSMasterKeyId?: unknown } | undefined;

function globalTable(resource: InventoryResource, inventory: Inventory): EncryptionAtRest[] {
  const sse = resource.properties.SSESpecification as Sse;
  const kms = sse?.SSEEnabled === true || sse?.SSEType === 'KMS';
  const replicas = Array.isArray(resource.properties.Replicas) ? resource.properties.Replicas : [];
  return replicas.map((replica, index) => {
    const region = resolveString(replica?.Region, stackScope(resource));
    const location = `Properties/Replicas/${index}/SSESpecification/KMSMasterKeyId`;
    if (!kms) return entry(location, region, { kind: 'aws-owned' }, 'DynamoDB owned key');
    return keyed(
      replica?.SSESpecification?.KMSMasterKeyId,
      location,
      resource,
      inventory,
      { kind: 'aws-managed', key: 'alias/aws/dynamodb' },
      region,
    );
  });
}

/** Encryption at rest of a store, or [] for types this module does not know. */
export function encryptionAtRest(resource: InventoryResource, inventory: Inventory): EncryptionAtRest[] {
  const p = resource.properties;
  const at = (value: unknown, location: string, fallback: { kind: KeyKind; key: string }) => [
    keyed(value, location, resource, inventory, fallback),
  ];
  switch (resource.type) {
    case 'AWS::DynamoDB::Table': {
      const sse = p.SSESpecification as Sse;
      if (sse?.SSEEnabled !== true) return at(undefined, 'Properties/SSESpecification', OWNED_DYNAMODB);
      return at(sse.KMSMasterKeyId, 'Properties/SSESpecification/KMSMasterKeyId', {
        kind: 'aws-managed',
        key: 'alias/aws/dynamodb',
      });
    }
    case 'AWS::DynamoDB::GlobalTable':
      return globalTable(resource, inventory);
    case 'AWS::SQS::Queue':
      return at(p.KmsMasterKeyId, 'Properties/KmsMasterKeyId', { kind: 'aws-owned', key: 'SSE-SQS' });
    case 'AWS::S3::Bucket': {
      const rules = (p.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown } | undefined)
        ?.ServerSideEncryptionConfiguration;
      const byDefault = Array.isArray(rules) ? rules[0]?.ServerSideEncryptionByDefault : undefined;
      const location =
        'Properties/BucketEncryption/ServerSideEncryptionConfiguration/0/ServerSideEncryptionByDefault';
      if (typeof byDefault?.SSEAlgorithm !== 'string' || !byDefault.SSEAlgorithm.startsWith('aws:kms')) {
        return at(undefined, location, { kind: 'aws-owned', key: 'SSE-S3' });
      }
      return at(byDefault.KMSMasterKeyID, `${location}/KMSMasterKeyID`, {
        kind: 'aws-managed',
        key: 'alias/aws/s3',
      });
    }
    case 'AWS::Logs::LogGroup':
      return at(p.KmsKeyId, 'Properties/KmsKeyId', { kind: 'aws-owned', key: 'CloudWatch Logs owned key' });
    case 'AWS::Events::EventBus':
      return at(p.KmsKeyIdentifier, 'Properties/KmsKeyIdentifier', {
        kind: 'aws-owned',
        key: 'EventBridge owned key',
      });
    case 'AWS::SNS::Topic':
      return at(p.KmsMasterKeyId, 'Properties/KmsMasterKeyId', {
        kind: 'aws-owned',
        key: 'unencrypted at rest',
      });
    case 'AWS::Kinesis::Stream':
      return at(
        (p.StreamEncryption as { KeyId?: unknown } | undefined)?.KeyId,
        'Properties/StreamEncryption/KeyId',
        {
          kind: 'aws-owned',
          key: 'unencrypted at rest',
        },
      );
    case 'AWS::Backup::BackupVault':
      return at(p.EncryptionKeyArn, 'Properties/EncryptionKeyArn', {
        kind: 'aws-managed',
        key: 'alias/aws/backup',
      });
    case 'AWS::SecretsManager::Secret':
      return at(p.KmsKeyId, 'Properties/KmsKeyId', { kind: 'aws-managed', key: 'alias/aws/secretsmanager' });
    default:
      return [];
  }
}

const OWNED_DYNAMODB = { kind: 'aws-owned' as const, key: 'DynamoDB owned key' };
