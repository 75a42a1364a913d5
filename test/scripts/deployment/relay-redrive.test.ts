import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { redriveRelayFailures, summarize } from '../../../scripts/deployment/relay-redrive';

const sqs = mockClient(SQSClient);
const streams = mockClient(DynamoDBStreamsClient);
const lambda = mockClient(LambdaClient);

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111111111111/relay-failures';
const STREAM =
  'arn:aws:dynamodb:us-east-1:111111111111:table/commerce-global-commerce/stream/2026-11-01T00:00:00.000';

/** Lambda's on-failure record for a DynamoDB stream batch, as it lands on the queue. */
const failureRecord = (start: string, end: string) =>
  JSON.stringify({
    requestContext: { requestId: 'r-1', condition: 'RetryAttemptsExhausted', approximateInvokeCount: 6 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-12-01T10:00:00.000Z',
    DDBStreamBatchInfo: {
      shardId: 'shardId-00000001',
      startSequenceNumber: start,
      endSequenceNumber: end,
      approximateArrivalOfFirstRecord: '2026-12-01T09:59:00Z',
      approximateArrivalOfLastRecord: '2026-12-01T09:59:01Z',
      batchSize: 2,
      streamArn: STREAM,
    },
  });

const record = (sequence: string) => ({
  eventID: `e-${sequence}`,
  eventName: 'INSERT' as const,
  eventSource: 'aws:dynamodb',
  awsRegion: 'us-east-1',
  dynamodb: { SequenceNumber: sequence, Keys: { pk: { S: `OUTBOX#${sequence}` } } },
});

const clients = () => ({
  sqs: new SQSClient({ region: 'us-east-1' }),
  streams: new DynamoDBStreamsClient({ region: 'us-east-1' }),
  lambda: new LambdaClient({ region: 'us-east-1' }),
});
const options = { queueUrl: QUEUE, functionName: 'relay-fn', maxMessages: 10, dryRun: false };
const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;

describe('relay failure redrive', () => {
  beforeEach(() => {
    for (const mock of [sqs, streams, lambda]) mock.reset();
    streams.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-1' });
    streams
      .on(GetRecordsCommand)
      .resolves({ Records: [record('100'), record('101'), record('102')], NextShardIterator: 'it-2' });
  });

  it("re-reads the batch from the stream, invokes the relay with Lambda's stream event, deletes the message", async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [{ MessageId: 'm-1', ReceiptHandle: 'rh-1', Body: failureRecord('100', '101') }],
      })
      .resolves({ Messages: [] });
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload({ batchItemFailures: [] }) });

    const outcomes = await redriveRelayFailures(clients(), options);

    expect(streams.commandCalls(GetShardIteratorCommand)[0]!.args[0].input).toEqual({
      StreamArn: STREAM,
      ShardId: 'shardId-00000001',
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      SequenceNumber: '100',
    });
    const invoke = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(invoke).toMatchObject({ FunctionName: 'relay-fn', InvocationType: 'RequestResponse' });
    const event = JSON.parse(new TextDecoder().decode(invoke.Payload as Uint8Array));
    // Only the batch's own records (102 is past its end), each with the source ARN Lambda adds.
    expect(
      event.Records.map((r: { dynamodb: { SequenceNumber: string } }) => r.dynamodb.SequenceNumber),
    ).toEqual(['100', '101']);
    expect(event.Records[0]).toMatchObject({ eventName: 'INSERT', eventSourceARN: STREAM });
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE, ReceiptHandle: 'rh-1' },
    ]);
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'redriven', records: 2 })]);
  });

  it('keeps the message when the relay reports a failed record or throws', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'm-1', ReceiptHandle: 'rh-1', Body: failureRecord('100', '101') },
          { MessageId: 'm-2', ReceiptHandle: 'rh-2', Body: failureRecord('100', '100') },
        ],
      })
      .resolves({ Messages: [] });
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 200, Payload: payload({ batchItemFailures: [{ itemIdentifier: '101' }] }) })
      .resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload({ errorMessage: 'boom' }) });

    const outcomes = await redriveRelayFailures(clients(), options);

    expect(outcomes.map((o) => o.outcome)).toEqual(['relay-failed', 'relay-failed']);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(summarize(outcomes)).toContain('2 messages: 0 redriven, 0 dry-run, 2 failed');
  });

  it('reports batches whose stream records expired and leaves them for the runbook', async () => {
    streams
      .on(GetShardIteratorCommand)
      .rejects(new TrimmedDataAccessException({ message: 'trimmed', $metadata: {} }));
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [{ MessageId: 'm-1', ReceiptHandle: 'rh-1', Body: failureRecord('5', '6') }],
      })
      .resolves({ Messages: [] });

    const outcomes = await redriveRelayFailures(clients(), options);

    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'expired' })]);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(summarize(outcomes)).toContain('runbooks/relay-failure-redrive.md');
  });

  it('in a dry run hands messages straight back and invokes nothing', async () => {
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [{ MessageId: 'm-1', ReceiptHandle: 'rh-1', Body: failureRecord('100', '101') }],
    });

    const outcomes = await redriveRelayFailures(clients(), { ...options, dryRun: true });

    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(1);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({ VisibilityTimeout: 0 });
    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'would-redrive', records: 2 })]);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('reports a message that is not a stream failure record without touching it', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'm-9', ReceiptHandle: 'rh-9', Body: '{"hello":1}' }] })
      .resolves({ Messages: [] });

    const outcomes = await redriveRelayFailures(clients(), options);

    expect(outcomes).toEqual([expect.objectContaining({ outcome: 'unreadable', messageId: 'm-9' })]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});
