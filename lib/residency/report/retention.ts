import type { InventoryResource } from '../inventory';

type Props = Readonly<Record<string, unknown>>;

const get = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (current, key) =>
      current && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined,
    value,
  );

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function dynamoDbRetention(p: Props): string {
  const ttl = get(p, 'TimeToLiveSpecification', 'Enabled')
    ? `TTL on ${String(get(p, 'TimeToLiveSpecification', 'AttributeName'))}`
    : 'no TTL';
  const pitr =
    get(p, 'PointInTimeRecoverySpecification', 'PointInTimeRecoveryEnabled') === true ||
    list(p.Replicas).some(
      (r) => get(r, 'PointInTimeRecoverySpecification', 'PointInTimeRecoveryEnabled') === true,
    );
  return `${ttl}; ${pitr ? 'PITR 35 days' : 'no PITR'}`;
}

/** How long a store keeps data, in the reviewer's words, from the template (service defaults where implicit). */
export function retentionOf(resource: InventoryResource): string | undefined {
  const p = resource.properties;
  switch (resource.type) {
    case 'AWS::Logs::LogGroup':
      return p.RetentionInDays ? `${p.RetentionInDays} days` : 'never expires';
    case 'AWS::SQS::Queue':
      return `${Math.round(Number(p.MessageRetentionPeriod ?? 345600) / 86400)} days (messages)`;
    case 'AWS::Kinesis::Stream':
      return `${p.RetentionPeriodHours ?? 24} hours`;
    case 'AWS::Events::Archive':
      return p.RetentionDays ? `${p.RetentionDays} days` : 'indefinite';
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable':
      return dynamoDbRetention(p);
    case 'AWS::S3::Bucket': {
      const days = list(get(p, 'LifecycleConfiguration', 'Rules'))
        .map((r) => get(r, 'ExpirationInDays'))
        .filter((d): d is number => typeof d === 'number');
      return days.length > 0 ? `expires after ${Math.min(...days)} days` : 'no expiration rule';
    }
    default:
      return undefined;
  }
}
