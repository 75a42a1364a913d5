/**
 * The commerce table's shape, defined once and used by the CDK construct
 * (lib/constructs/commerce-data.ts), the local topology and the tests.
 * Plain data: no aws-cdk-lib and no SDK imports, so both roots can read it.
 *
 * Single-table design: every item has `pk`/`sk`; `gsi1pk`/`gsi1sk` serve the
 * secondary access patterns (a customer's orders, audit by correlation id,
 * events by cursor). Items with `expiresAt` (epoch seconds) expire by TTL.
 */

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
}

export interface TableDefinition {
  /** Suffix of the physical table name: `<appName>-<zone>-<suffix>`. */
  readonly nameSuffix: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly GlobalIndexDefinition[];
  readonly timeToLiveAttribute: string;
  readonly streamViewType: 'NEW_AND_OLD_IMAGES';
}

export const COMMERCE_TABLE: TableDefinition = {
  nameSuffix: 'commerce',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: 'gsi1',
      partitionKey: { name: 'gsi1pk', type: 'S' },
      sortKey: { name: 'gsi1sk', type: 'S' },
    },
  ],
  timeToLiveAttribute: 'expiresAt',
  streamViewType: 'NEW_AND_OLD_IMAGES',
};

/** Physical table name: identical in every replica region of a zone (a global table has one name). */
export function commerceTableName(appName: string, zone: string): string {
  return `${appName}-${zone}-${COMMERCE_TABLE.nameSuffix}`;
}
