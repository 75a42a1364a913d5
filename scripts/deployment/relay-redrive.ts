import {
  type _Record,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ResourceNotFoundException,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';

/**
 * Redrive of the outbox relay's failure queue. When the relay gives up on a
 * stream batch (retries exhausted or record too old), Lambda puts a record of
 * the batch (shard, first and last sequence number, stream ARN) on the failure
 * queue, not the items. This reads those records back from the table's stream
 * and invokes the relay with them, exactly as the event source would; the
 * relay is idempotent (deterministic delivery ids, consumers dedupe by event
 * id). A message is deleted only when the relay reports no failure for its
 * batch. Stream records live 24 hours: older batches are reported as expired
 * and left in the queue for the runbook's fallback (relay-foreign-events).
 */

/** Lambda's on-failure record for a DynamoDB stream event source (the fields this reads). */
export const streamFailureRecordSchema = z.object({
  requestContext: z
    .object({ condition: z.string().optional(), functionArn: z.string().optional() })
    .optional(),
  DDBStreamBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: z.string().regex(/^\d+$/),
    endSequenceNumber: z.string().regex(/^\d+$/),
    streamArn: z.string().startsWith('arn:'),
    batchSize: z.number().int().positive().optional(),
    approximateArrivalOfFirstRecord: z.string().optional(),
  }),
});
export type StreamBatchInfo = z.infer<typeof streamFailureRecordSchema>['DDBStreamBatchInfo'];

export interface RedriveClients {
  readonly sqs: SQSClient;
  readonly streams: DynamoDBStreamsClient;
  readonly lambda: LambdaClient;
}

export interface RedriveOptions {
  readonly queueUrl: string;
  /** The relay function (name or ARN): the cell stack's RelayFunctionName output. */
  readonly functionName: string;
  /** Stop after this many messages. */
  readonly maxMessages: number;
  /** Report what would be redriven; messages return to the queue at once and nothing is invoked. */
  readonly dryRun: boolean;
}

export type MessageOutcome =
  | { readonly outcome: 'redriven'; readonly records: number; readonly batch: StreamBatchInfo }
  | { readonly outcome: 'would-redrive'; readonly records: number; readonly batch: StreamBatchInfo }
  | { readonly outcome: 'relay-failed'; readonly detail: string; readonly batch: StreamBatchInfo }
  | { readonly outcome: 'expired'; readonly detail: string; readonly batch: StreamBatchInfo }
  | { readonly outcome: 'unreadable'; readonly detail: string; readonly messageId: string };

/** Pages of GetRecords a batch may take before giving up (a batch is at most 10,000 records). */
const MAX_PAGES = 200;

const inRange = (sequence: string | undefined, batch: StreamBatchInfo) =>
  sequence !== undefined &&
  BigInt(sequence) >= BigInt(batch.startSequenceNumber) &&
  BigInt(sequence) <= BigInt(batch.endSequenceNumber);

/** The batch's records, read from the shard from its first sequence number up to its last. */
export async function readBatch(streams: DynamoDBStreamsClient, batch: StreamBatchInfo): Promise<_Record[]> {
  const iterator = await streams.send(
    new GetShardIteratorCommand({
      StreamArn: batch.streamArn,
      ShardId: batch.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: batch.startSequenceNumber,
    }),
  );
  const records: _Record[] = [];
  let next = iterator.ShardIterator;
  for (let page = 0; next && page < MAX_PAGES; page++) {
    const result = await streams.send(new GetRecordsCommand({ ShardIterator: next, Limit: 1000 }));
    const batchRecords = result.Records ?? [];
    records.push(...batchRecords.filter((r) => inRange(r.dynamodb?.SequenceNumber, batch)));
    const last = batchRecords.at(-1)?.dynamodb?.SequenceNumber;
    if (last !== undefined && BigInt(last) >= BigInt(batch.endSequenceNumber)) break;
    // An empty page of an open shard means nothing newer exists yet; of a closed shard, no iterator.
    if (batchRecords.length === 0 && records.length > 0) break;
    next = result.NextShardIterator;
  }
  return records;
}

/** Lambda's DynamoDB stream event: the stream records plus their source ARN. */
export function streamEvent(records: readonly _Record[], streamArn: string) {
  return { Records: records.map((record) => ({ ...record, eventSourceARN: streamArn })) };
}

const relayResponseSchema = z.object({
  batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })).default([]),
});

async function redriveOne(
  body: string,
  messageId: string,
  clients: RedriveClients,
  options: RedriveOptions,
): Promise<MessageOutcome> {
  let batch: StreamBatchInfo;
  try {
    batch = streamFailureRecordSchema.parse(JSON.parse(body)).DDBStreamBatchInfo;
  } catch (error) {
    return {
      outcome: 'unreadable',
      messageId,
      detail: `not a stream failure record: ${(error as Error).message}`,
    };
  }
  let records: _Record[];
  try {
    records = await readBatch(clients.streams, batch);
  } catch (error) {
    if (error instanceof TrimmedDataAccessException || error instanceof ResourceNotFoundException) {
      return {
        outcome: 'expired',
        batch,
        detail: `${error.name}: the stream no longer has these records (they live 24 h)`,
      };
    }
    throw error;
  }
  if (records.length === 0) {
    return {
      outcome: 'expired',
      batch,
      detail: 'no record of the batch is left in the shard (they live 24 h)',
    };
  }
  if (options.dryRun) return { outcome: 'would-redrive', records: records.length, batch };
  const invocation = await clients.lambda.send(
    new InvokeCommand({
      FunctionName: options.functionName,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(JSON.stringify(streamEvent(records, batch.streamArn))),
    }),
  );
  const payload = invocation.Payload ? new TextDecoder().decode(invocation.Payload) : '';
  if (invocation.FunctionError) {
    return {
      outcome: 'relay-failed',
      batch,
      detail: `${invocation.FunctionError}: ${payload.slice(0, 500)}`,
    };
  }
  const response = relayResponseSchema.safeParse(payload ? JSON.parse(payload) : {});
  if (!response.success || response.data.batchItemFailures.length > 0) {
    const failed = response.success ? response.data.batchItemFailures.map((f) => f.itemIdentifier) : [];
    return {
      outcome: 'relay-failed',
      batch,
      detail: response.success
        ? `the relay failed records ${failed.join(', ')}`
        : `unexpected relay answer: ${payload.slice(0, 500)}`,
    };
  }
  return { outcome: 'redriven', records: records.length, batch };
}

/**
 * Receives up to `maxMessages` messages and redrives each; a message leaves the
 * queue only when its batch was relayed without a failure.
 */
export async function redriveRelayFailures(
  clients: RedriveClients,
  options: RedriveOptions,
): Promise<MessageOutcome[]> {
  const outcomes: MessageOutcome[] = [];
  while (outcomes.length < options.maxMessages) {
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, options.maxMessages - outcomes.length),
        WaitTimeSeconds: 1,
        // A dry run hands every message straight back; a real run keeps it while the relay runs.
        VisibilityTimeout: options.dryRun ? 0 : 300,
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      const outcome = await redriveOne(message.Body ?? '', message.MessageId ?? '?', clients, options);
      outcomes.push(outcome);
      if (outcome.outcome === 'redriven') {
        await clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
    if (options.dryRun) break;
  }
  return outcomes;
}

export function summarize(outcomes: readonly MessageOutcome[]): string {
  const lines = outcomes.map((o) => {
    if (o.outcome === 'unreadable') return `UNREADABLE  ${o.messageId}: ${o.detail}`;
    const where = `${o.batch.shardId} ${o.batch.startSequenceNumber}..${o.batch.endSequenceNumber}`;
    if (o.outcome === 'redriven')
      return `REDRIVEN    ${where}: ${o.records} records relayed, message deleted`;
    if (o.outcome === 'would-redrive') return `DRY-RUN     ${where}: ${o.records} records would be relayed`;
    if (o.outcome === 'relay-failed') return `FAILED      ${where}: ${o.detail} (message kept)`;
    return `EXPIRED     ${where}: ${o.detail} (message kept; see runbooks/relay-failure-redrive.md)`;
  });
  const count = (kind: MessageOutcome['outcome']) => outcomes.filter((o) => o.outcome === kind).length;
  return `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${outcomes.length} messages: ${count('redriven')} redriven, ${count('would-redrive')} dry-run, ${count('relay-failed')} failed, ${count('expired')} expired, ${count('unreadable')} unreadable\n`;
}
