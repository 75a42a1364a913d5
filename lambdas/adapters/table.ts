import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** What every repository needs: the document client, the cell's table, and where and when "now" is. */
export interface TableContext {
  readonly documentClient: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly zone: string;
  readonly region: string;
  readonly now: () => number;
}

/** One element of a TransactWriteItems call, in document-client form. */
export type TransactWrite = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Key builders of the single-table design (pk/sk, gsi1pk/gsi1sk); the only place item keys are spelled. */
/** Base of a cell's drill flag item; the partition key carries the region (see keys.drillFlag). */
export const DRILL_FLAG_KEY = { pk: 'CELL#drill', sk: 'FLAG' } as const;

export const keys = {
  product: (id: string) => ({ pk: `PRODUCT#${id}`, sk: 'PRODUCT' }),
  catalogIndex: 'CATALOG',
  cart: (id: string) => ({ pk: `CART#${id}`, sk: 'CART' }),
  customer: (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'PROFILE' }),
  order: (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' }),
  customerOrdersIndex: (customerId: string) => `CUSTOMER#${customerId}#ORDERS`,
  checkout: (id: string) => ({ pk: `CHECKOUT#${id}`, sk: 'SAGA' }),
  /** gsi1 of sagas still open (reserved), per region that started them; completion and compensation leave it. */
  openCheckoutsIndex: (region: string) => `CHECKOUTS#OPEN#${region}`,
  idempotency: (scope: string, key: string) => ({ pk: `IDEMPOTENCY#${scope}#${key}`, sk: 'RECORD' }),
  auditHead: (chain: string) => ({ pk: `AUDIT#${chain}`, sk: 'HEAD' }),
  auditEntry: (chain: string, seq: number) => ({ pk: `AUDIT#${chain}`, sk: `ENTRY#${padSeq(seq)}` }),
  auditEntryPrefix: 'ENTRY#',
  auditByResource: (type: string, id: string) => `AUDITRES#${type}#${id}`,
  auditCorrelation: (correlationId: string) => `AUDITCORR#${correlationId}`,
  auditByCorrelation: (correlationId: string, chain: string, seq: number) => ({
    pk: keys.auditCorrelation(correlationId),
    sk: `${chain}#${padSeq(seq)}`,
  }),
  /** A cell's drill flag: regional, so replicated copies never flip another cell's health. */
  drillFlag: (region: string) => ({ pk: `${DRILL_FLAG_KEY.pk}#${region}`, sk: DRILL_FLAG_KEY.sk }),
} as const;

/** Partition-key prefixes of the audit log (chain entries and heads; correlation references). */
export const AUDIT_KEY_PREFIXES = [keys.auditHead('').pk, keys.auditCorrelation('')] as const;

export function padSeq(seq: number): string {
  return String(seq).padStart(12, '0');
}

export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
