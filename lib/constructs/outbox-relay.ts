import { Duration, Tags } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TAG_KEYS } from '../tagging';
import { CommerceFunction, LAMBDA_ENTRIES } from './commerce-function';
import { grantDataKeyUse, grantPutEvents, grantSend } from './least-privilege';
import { acknowledge } from './nag-acknowledgements';
import { OUTBOX_STREAM_FILTER_PATTERN } from '../../lambdas/outbox/stream-filter';

export interface OutboxRelayProps {
  /** The cell's view of the commerce table; must expose a stream ARN. */
  readonly table: dynamodb.ITableV2;
  readonly eventBus: events.IEventBus;
  readonly webhookQueue: sqs.IQueue;
  readonly key: kms.IKey;
  /** Cell environment of the relay function (see cellEnvironment). */
  readonly environment: Readonly<Record<string, string>>;
  /** @default 100 */
  readonly batchSize?: number;
  /** @default 5 */
  readonly retryAttempts?: number;
  /** @default Duration.hours(6) */
  readonly maxRecordAge?: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * DynamoDB stream -> event bus + webhook queue. Partial batch failures and
 * bisect-on-error isolate a poison record; bounded retries and a maximum
 * record age keep the shard moving; records that still fail go to an
 * on-failure queue for redrive instead of being dropped.
 */
export class OutboxRelay extends Construct {
  readonly handler: CommerceFunction;
  readonly failureQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 100;
    const retryAttempts = props.retryAttempts ?? 5;
    const maxRecordAge = props.maxRecordAge ?? Duration.hours(6);
    const problems: string[] = [];
    if (!props.table.tableStreamArn) {
      problems.push('table: has no stream ARN; enable the table stream or import it with tableStreamArn');
    }
    if (batchSize < 1 || batchSize > 10000) problems.push(`batchSize: ${batchSize} must be 1-10000`);
    if (retryAttempts < 0 || retryAttempts > 10000) {
      problems.push(`retryAttempts: ${retryAttempts} must be 0-10000 (bounded, never infinite)`);
    }
    const ageSeconds = maxRecordAge.toSeconds();
    if (ageSeconds < 60 || ageSeconds > 604800) {
      problems.push(`maxRecordAge: ${ageSeconds} s must be between 60 s and 7 days`);
    }
    if (problems.length > 0) throw new Error(`OutboxRelay ${this.node.path}: ${problems.join('; ')}`);

    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // Failure records carry only stream coordinates (shard, sequence numbers), but
    // are classified with the table because a redrive reads the items they point at.
    Tags.of(this.failureQueue).add(TAG_KEYS.dataClassification, 'personal');

    this.handler = new CommerceFunction(this, 'Relay', {
      entry: LAMBDA_ENTRIES.outboxRelay,
      description: 'Publishes outbox items from the table stream to the event bus and the webhook queue',
      environment: props.environment,
      timeout: Duration.seconds(60),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    grantPutEvents(this.handler.role, props.eventBus);
    grantSend(this.handler.role, props.webhookQueue);
    grantDataKeyUse(this.handler.role, props.key);

    this.handler.function.addEventSource(
      new eventSources.DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts,
        maxRecordAge,
        onFailure: new QueueOnFailure(this.failureQueue),
        // Invoke only for outbox INSERTs, not for every cart or order write (the relay re-checks).
        filters: [
          lambda.FilterCriteria.filter(OUTBOX_STREAM_FILTER_PATTERN as unknown as Record<string, unknown>),
        ],
        // One batch per shard at a time keeps a shard's events in order.
        parallelizationFactor: 1,
      }),
    );

    const terminal =
      'Terminal on-failure queue of the stream event source; its depth alarms and operators redrive from it';
    acknowledge(
      this.failureQueue,
      { id: 'AwsSolutions-SQS3', reason: terminal },
      { id: 'Serverless-SQSRedrivePolicy', reason: terminal },
    );
    acknowledge(this.handler.function, {
      id: 'Serverless-LambdaDLQ',
      reason: 'Invoked only by its stream event source, whose on-failure destination is the failure queue',
    });
  }
}

/**
 * The failure queue as the stream's on-failure destination, like CDK's SqsDlq but granting only
 * sqs:SendMessage (the relay's data-key use is granted once, without kms:Encrypt/ReEncrypt).
 */
class QueueOnFailure implements lambda.IEventSourceDlq {
  constructor(private readonly queue: sqs.IQueue) {}

  bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    targetHandler.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
    return { destination: this.queue.queueArn };
  }
}
