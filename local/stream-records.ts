import type { _Record, AttributeValue as StreamsAttributeValue } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

/**
 * Turns records read with the DynamoDB Streams API into the exact shape Lambda
 * hands to a stream-triggered function (`DynamoDBStreamEvent.Records[]`), so
 * the production handlers run unchanged on the local topology.
 * Lambda's JSON carries binary as base64 and times as epoch seconds; the SDK
 * gives Uint8Array and Date, hence the conversion.
 */

function toLambdaAttribute(value: StreamsAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttribute) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  throw new Error(`Unsupported stream attribute value: ${Object.keys(value).join(', ')}`);
}

export function toLambdaImage(
  image: Record<string, StreamsAttributeValue> | undefined,
): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image ?? {}).map(([k, v]) => [k, toLambdaAttribute(v)]));
}

export interface RecordSource {
  /** Region of the cell whose table produced the record (DynamoDB Local reports `ddblocal`). */
  readonly region: string;
  /** Cloud-shaped stream ARN (DynamoDB Local's ARN names region `ddblocal` and account 000000000000). */
  readonly eventSourceArn: string;
}

export function toLambdaRecord(record: _Record, source: RecordSource): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: source.region,
    eventSourceARN: source.eventSourceArn,
    dynamodb: {
      ...(stream.ApproximateCreationDateTime
        ? { ApproximateCreationDateTime: Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000) }
        : {}),
      Keys: toLambdaImage(stream.Keys),
      ...(stream.NewImage ? { NewImage: toLambdaImage(stream.NewImage) } : {}),
      ...(stream.OldImage ? { OldImage: toLambdaImage(stream.OldImage) } : {}),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
  };
}

/** `arn:<partition>:dynamodb:<region>:<account>:table/<name>/stream/<label>` from DynamoDB Local's ARN. */
export function cloudStreamArn(localArn: string, partition: string, region: string, account: string): string {
  const resource = localArn.split(':').slice(5).join(':');
  return `arn:${partition}:dynamodb:${region}:${account}:${resource}`;
}
