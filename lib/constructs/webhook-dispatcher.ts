import { Duration, Tags } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TAG_KEYS } from '../tagging';
import { CommerceFunction, LAMBDA_ENTRIES } from './commerce-function';
import { acknowledge } from './nag-acknowledgements';

/** Delivery attempts the dispatcher schedules (docs/architecture.md section 5: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). */
export const DISPATCHER_ATTEMPTS = 8;

export interface WebhookDispatcherProps {
  readonly queueName: string;
  /** Customer-managed key of this cell's region (webhook payloads carry order data). */
  readonly key: kms.IKey;
  /** Cell environment of the dispatcher function (see cellEnvironment). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Receives before SQS dead-letters a message. The dispatcher schedules its 8
   * attempts on the message itself (receive count = attempt number, delay via
   * ChangeMessageVisibility) and writes its own DLQ record on exhaustion, so this
   * must exceed 8: it is only the backstop for handler crashes.
   * @default 10
   */
  readonly maxReceiveCount?: number;
  /** @default 10 */
  readonly batchSize?: number;
  /**
   * Concurrent dispatcher invocations the SQS event source may run (2-1000): a
   * webhook burst then cannot take the account's Lambda concurrency from the API.
   * @default 10
   */
  readonly maxConcurrency?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The webhook delivery queue (KMS-encrypted, TLS-only, with a DLQ) and the
 * dispatcher that drains it, reporting per-message failures so one bad
 * endpoint does not redeliver a whole batch.
 */
export class WebhookDispatcher extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly handler: CommerceFunction;

  constructor(scope: Construct, id: string, props: WebhookDispatcherProps) {
    super(scope, id);
    const problems: string[] = [];
    const maxReceiveCount = props.maxReceiveCount ?? 10;
    const batchSize = props.batchSize ?? 10;
    const maxConcurrency = props.maxConcurrency ?? 10;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      problems.push(
        `maxConcurrency: ${maxConcurrency} must be an integer from 2 to 1000 (SQS event source limit)`,
      );
    }
    if (maxReceiveCount <= DISPATCHER_ATTEMPTS || maxReceiveCount > 1000) {
      problems.push(
        `maxReceiveCount: ${maxReceiveCount} must be ${DISPATCHER_ATTEMPTS + 1}-1000 (above the dispatcher's ${DISPATCHER_ATTEMPTS} scheduled attempts)`,
      );
    }
    if (batchSize < 1 || batchSize > 10) {
      problems.push(`batchSize: ${batchSize} must be 1-10 for a queue without a batching window`);
    }
    if (!/^[A-Za-z0-9_-]{1,75}$/.test(props.queueName)) {
      problems.push(
        `queueName: "${props.queueName}" must be 1-75 chars of A-Z a-z 0-9 _ - (leave room for -dlq)`,
      );
    }
    if (problems.length > 0) throw new Error(`WebhookDispatcher ${this.node.path}: ${problems.join('; ')}`);

    const timeout = Duration.seconds(30);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: `${props.queueName}-dlq`,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      // SQS requires at least the consumer timeout; six times leaves room for retries within a receive.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    for (const queue of [this.queue, this.deadLetterQueue]) {
      Tags.of(queue).add(TAG_KEYS.dataClassification, 'personal');
    }

    this.handler = new CommerceFunction(this, 'Dispatcher', {
      entry: LAMBDA_ENTRIES.webhookDispatcher,
      description: 'Signs and delivers webhooks (Standard Webhooks v1) from the delivery queue',
      environment: props.environment,
      timeout,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    // The dispatcher re-schedules a failed attempt by changing the message's visibility on this queue.
    this.handler.function.addEnvironment('WEBHOOK_QUEUE_URL', this.queue.queueUrl);
    this.handler.function.addEventSource(
      new eventSources.SqsEventSource(this.queue, {
        batchSize,
        reportBatchItemFailures: true,
        maxConcurrency,
      }),
    );

    const redrive =
      'Failed deliveries are redriven by the delivery queue itself (redrive policy to the DLQ after maxReceiveCount)';
    acknowledge(
      this.handler.function,
      {
        id: 'Serverless-LambdaDLQ',
        reason: `Invoked only by its SQS event source, never asynchronously. ${redrive}`,
      },
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason: `SQS event sources take no on-failure destination. ${redrive}`,
      },
    );
    acknowledge(this.deadLetterQueue, {
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the terminal dead-letter queue; its depth alarms and operators replay from it',
    });
  }
}
