/**
 * Which CloudFormation types matter for residency, and how. One table, read
 * by the rules and by the report.
 */

/** Resources that hold data at rest (or in flight for a retention period): must stay in the zone's regions. */
export const DATA_STORE_TYPES: ReadonlySet<string> = new Set([
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
  'AWS::SNS::Topic',
  'AWS::Logs::LogGroup',
  'AWS::Events::EventBus',
  'AWS::Events::Archive',
  'AWS::KMS::Key',
  'AWS::KMS::ReplicaKey',
  'AWS::Kinesis::Stream',
  'AWS::KinesisFirehose::DeliveryStream',
  'AWS::SecretsManager::Secret',
  'AWS::Backup::BackupVault',
]);

/** Stores that hold customer records unless tagged otherwise: encrypted with a same-region customer-managed key. */
export const CUSTOMER_DATA_TYPES: ReadonlySet<string> = new Set([
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
]);

/**
 * Types that accept tags in CloudFormation and that this toolkit creates. A
 * resource of any other type counts as taggable when the template gives it a
 * tag property (CDK adds one to every taggable L1 once any tag applies).
 */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
  ...[...DATA_STORE_TYPES].filter((type) => type !== 'AWS::Events::Archive'),
  'AWS::Lambda::Function',
  'AWS::CloudFront::Distribution',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGatewayV2::Api',
  'AWS::IAM::Role',
  'AWS::Route53::HealthCheck',
  'AWS::Route53::HostedZone',
  'AWS::StepFunctions::StateMachine',
]);

export const CLOUDFRONT_DISTRIBUTION = 'AWS::CloudFront::Distribution';
