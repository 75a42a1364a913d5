import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { COMMERCE_TABLE } from './table-definitions';

export type { DynamoDBDocumentClient };

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

/**
 * The document client every repository uses: undefined attributes are left out, as the repositories'
 * optional fields expect. `client` defaults to the SDK's regional client from the environment (Lambda).
 */
export function createDocumentClient(
  client: DynamoDBClient = new DynamoDBClient({}),
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The table's one secondary index (gsi1pk/gsi1sk), named once in the table definition. */
export const GSI1 = COMMERCE_TABLE.globalSecondaryIndexes[0]!.indexName;

/** Base of a cell's drill flag item; the partition key carries the region (see keys.drillFlag). */
export const DRILL_FLAG_KEY = { pk: 'CELL#drill', sk: 'FLAG' } as const;

/**
 * Key builders of the single-table design (pk/sk, gsi1pk/gsi1sk); the only place item keys and index
 * partitions are spelled. Repositories in this folder are the only code that reads or writes items.
 */

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
  /** A subject's idempotency records (gsi1), so a GDPR erasure can find stored responses holding personal data. */
  idempotencyBySubject: (scope: string) => `IDEMPOTENCY#${scope}`,
  outboxEvent: (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'EVENT' }),
  outboxPrefix: 'OUTBOX#',
  /** gsi1 partition of a zone's outbox events, in event-id (= time) order: pull/replay and takeover read it. */
  outboxIndex: (zone: string) => `EVENTS#${zone}`,
  webhookEndpoint: (id: string) => ({ pk: `WEBHOOK#${id}`, sk: 'ENDPOINT' }),
  /** gsi1 partition listing every webhook endpoint of the zone. */
  webhookEndpointsIndex: 'WEBHOOK_ENDPOINTS',
  webhookDelivery: (deliveryId: string) => ({ pk: `DELIVERY#${deliveryId}`, sk: 'DELIVERY' }),
  webhookAttempt: (deliveryId: string, round: number, attempt: number) => ({
    pk: `DELIVERY#${deliveryId}`,
    sk: `ATTEMPT#${String(round).padStart(4, '0')}#${String(attempt).padStart(2, '0')}`,
  }),
  webhookAttemptPrefix: 'ATTEMPT#',
  /** gsi1 partition of an endpoint's deliveries, by creation time. */
  endpointDeliveriesIndex: (endpointId: string) => `ENDPOINT_DELIVERIES#${endpointId}`,
  webhookDlqEntry: (deliveryId: string) => ({ pk: 'WEBHOOK_DLQ', sk: deliveryId }),
  webhookDlqPartition: 'WEBHOOK_DLQ',
} as const;

/** Partition-key prefixes of the audit log (chain entries and heads; correlation references). */
export const AUDIT_KEY_PREFIXES = [keys.auditHead('').pk, keys.auditCorrelation('')] as const;

export function padSeq(seq: number): string {
  return String(seq).padStart(12, '0');
}

export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}
