import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LocalPaymentProvider } from '../adapters/local-payment-provider';
import type { CellConfig } from '../core/cell-config';
import { type DevKeys, devVerifier, ensureDevKeys } from './auth/dev-auth';
import type { ApiDependencies } from './dependencies';

/**
 * Dependencies for one cell of the local topology: dev-key token
 * verification (keys in .local/dev-keys, created on first use) and a
 * SIMULATED payment provider the caller can steer (`paymentProvider.setMode`).
 */
export async function localApiDependencies(options: {
  readonly config: CellConfig;
  readonly documentClient: DynamoDBDocumentClient;
  readonly devKeys?: DevKeys;
  readonly paymentProvider?: LocalPaymentProvider;
}): Promise<ApiDependencies & { readonly paymentProvider: LocalPaymentProvider }> {
  const keys = options.devKeys ?? (await ensureDevKeys());
  return {
    config: options.config,
    documentClient: options.documentClient,
    authVerifier: devVerifier(keys),
    paymentProvider: options.paymentProvider ?? new LocalPaymentProvider(),
  };
}
