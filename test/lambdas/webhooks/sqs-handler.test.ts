import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { DeliveryMessage } from '../../../lambdas/core/webhooks/delivery';
import type { DispatchOutcome } from '../../../lambdas/webhooks/dispatcher';
import { createDispatchHandler } from '../../../lambdas/webhooks/sqs-handler';

function sqsRecord(id: string, body: unknown, receiveCount: number): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111111111111:webhooks',
    awsRegion: 'us-east-1',
  };
}

describe('webhook dispatcher Lambda entry (SQS)', () => {
  it('uses the receive count as attempt number, reschedules retries with ChangeMessageVisibility and reports them', async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const seen: [DeliveryMessage, number][] = [];
    const outcomes: Record<string, DispatchOutcome> = {
      ok: { kind: 'done', result: 'succeeded' },
      later: { kind: 'retry', delayMs: 5 * 3600_000 + 1 },
      boom: { kind: 'done', result: 'succeeded' },
    };
    const handler = createDispatchHandler({
      dispatcher: {
        dispatch: async (message, receiveCount) => {
          seen.push([message, receiveCount]);
          if (message.deliveryId === 'boom') throw new Error('DynamoDB unavailable');
          return outcomes[message.deliveryId]!;
        },
      },
      sqs: new SQSClient({ region: 'us-east-1' }),
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/webhooks',
    });
    const event: SQSEvent = {
      Records: [
        sqsRecord('m1', { deliveryId: 'ok', round: 0 }, 1),
        sqsRecord('m2', { deliveryId: 'later', round: 0 }, 6),
        sqsRecord('m3', { deliveryId: 'boom', round: 0 }, 2),
        sqsRecord('m4', 'not json', 1),
      ],
    };

    const response = await handler(event);

    expect(seen.map(([m, n]) => [m.deliveryId, n])).toEqual([
      ['ok', 1],
      ['later', 6],
      ['boom', 2],
    ]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }]);
    const calls = sqs.commandCalls(ChangeMessageVisibilityCommand);
    expect(calls.map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: 'https://sqs.us-east-1.amazonaws.com/111111111111/webhooks',
        ReceiptHandle: 'rh-m2',
        VisibilityTimeout: 5 * 3600 + 1,
      },
    ]);
    sqs.restore();
  });
});
