import { startDynamoDbLocal } from '../../local/dynamodb-local';

/**
 * Jest global setup: one DynamoDB Local for the whole run (tests create their
 * own uniquely named tables). The endpoint reaches test files through the
 * environment; `DYNAMODB_ENDPOINT` set by the caller reuses a running one.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DYNAMODB_ENDPOINT) return;
  const local = await startDynamoDbLocal();
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  (globalThis as { __DYNAMODB_LOCAL__?: typeof local }).__DYNAMODB_LOCAL__ = local;
}
