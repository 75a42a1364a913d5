import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { LOCAL_CREDENTIALS } from '../../../../local/dynamodb-local';
import { toLambdaRecord } from '../../../../local/stream-records';

/**
 * Reads every record currently in a DynamoDB Local table's stream, in the
 * shape Lambda hands to a stream handler. One pass, no polling loop: the
 * caller wrote the items first.
 */
export async function readWholeStream(
  client: DynamoDBClient,
  endpoint: string,
  tableName: string,
  region = 'us-east-1',
): Promise<DynamoDBRecord[]> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${tableName} has no stream`);
  const streams = new DynamoDBStreamsClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
  try {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: DynamoDBRecord[] = [];
    for (const shard of StreamDescription?.Shards ?? []) {
      let { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      while (ShardIterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
        const batch = page.Records ?? [];
        records.push(...batch.map((r) => toLambdaRecord(r, { region, eventSourceArn: streamArn })));
        // An open shard always returns a next iterator; stop once it has nothing more for us.
        ShardIterator = batch.length > 0 ? page.NextShardIterator : undefined;
      }
    }
    return records;
  } finally {
    streams.destroy();
  }
}
