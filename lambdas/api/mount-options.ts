import { IdempotencyStore } from '../adapters/idempotency-store';
import { commitMutation } from '../adapters/mutation';
import type { ResolvedDependencies } from './dependencies';
import type { MountOptions } from './http/route';

/** How every route of a cell is mounted (auth, idempotency store, transaction writer, residency, writer fence). */
export function mountOptionsFor(deps: ResolvedDependencies): MountOptions {
  const idempotencyStore = new IdempotencyStore(deps.table);
  return {
    verifier: deps.authVerifier,
    idempotencyStore: () => idempotencyStore,
    commitMutation: (mutation) => commitMutation(deps.table, mutation),
    residency: { zone: deps.config.CELL_ZONE, endpoints: deps.config.ZONE_ENDPOINTS },
    writerFence: deps.writerFence,
  };
}
