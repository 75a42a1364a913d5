import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { COMMERCE_TABLE } from '../../lambdas/adapters/table-definitions';
import { freshCommerceTable } from '../support/dynamodb';

describe('local/tables ensureTable', () => {
  it('creates the commerce table from the shared definition, with stream and TTL, idempotently', async () => {
    // Prepare
    const table = await freshCommerceTable('eu-west-1');
    try {
      // Act
      const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
      const ttl = await table.client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
      // Assess
      expect(Table?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(Table?.StreamSpecification).toEqual({
        StreamEnabled: true,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      });
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['gsi1']);
      expect(ttl.TimeToLiveDescription?.AttributeName).toBe(COMMERCE_TABLE.timeToLiveAttribute);
    } finally {
      await table.drop();
    }
  });
});
