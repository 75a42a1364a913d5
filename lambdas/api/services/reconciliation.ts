import { CustomerRepository } from '../../adapters/customer-repository';
import { IdempotencyStore } from '../../adapters/idempotency-store';
import { StockLedger } from '../../adapters/stock-ledger';
import type { ResolvedDependencies } from '../dependencies';

/**
 * Reconciliation: what a promoted (or failed-back) writer runs once replication has caught up, to repair
 * what last-writer-wins resolved wrongly while both regions took writes (see README, "Failover without
 * losing or duplicating anything"). Idempotent: running it twice changes nothing the second time.
 *
 * - Stock: every product's counter is recomputed from its hold ledger (received minus active holds), so
 *   decrements acknowledged on both sides count once each and releases made twice count once.
 *   A ledger that comes out below zero was oversold during the split: the counter stays at 0 and the
 *   units are listed for a person to decide.
 * - Erasure: a customer erased on one side whose profile came back from the other side's update is
 *   erased again, with the stored responses of their earlier requests.
 */
export interface StockCorrection {
  readonly productId: string;
  readonly before: number;
  readonly after: number;
}

export interface NeedsAPerson {
  readonly kind: 'oversold';
  readonly productId: string;
  readonly units: number;
  readonly action: string;
}

export interface ReconciliationReport {
  readonly region: string;
  readonly startedAt: string;
  readonly productsChecked: number;
  readonly stockCorrected: readonly StockCorrection[];
  readonly reErased: readonly string[];
  readonly storedResponsesForgotten: number;
  readonly needsAPerson: readonly NeedsAPerson[];
}

export class ReconciliationService {
  private readonly ledger: StockLedger;
  private readonly customers: CustomerRepository;
  private readonly idempotency: IdempotencyStore;

  constructor(private readonly deps: ResolvedDependencies) {
    this.ledger = new StockLedger(deps.table);
    this.customers = new CustomerRepository(deps.table);
    this.idempotency = new IdempotencyStore(deps.table);
  }

  async run(): Promise<ReconciliationReport> {
    const startedAt = new Date(this.deps.now()).toISOString();
    const productIds = await this.ledger.productIds();
    const stockCorrected: StockCorrection[] = [];
    const needsAPerson: NeedsAPerson[] = [];
    for (const productId of productIds) {
      const result = await this.ledger.recompute(productId);
      if (!result) continue;
      if (result.before !== result.after)
        stockCorrected.push({ productId, before: result.before, after: result.after });
      if (result.oversold > 0)
        needsAPerson.push({
          kind: 'oversold',
          productId,
          units: result.oversold,
          action: `${result.oversold} unit(s) of ${productId} were sold on both sides of the split beyond what was received: restock or cancel that many of its newest orders`,
        });
    }
    const reErased: string[] = [];
    let storedResponsesForgotten = 0;
    for (const { id, erasedAt, profileBack } of await this.customers.erasures()) {
      if (profileBack) {
        await this.customers.reErase(id, erasedAt);
        reErased.push(id);
      }
      // Whichever side won the profile, a request the other side answered during the split may have stored
      // its response (personal data) under the subject after the erasure: forget those too.
      storedResponsesForgotten += await this.idempotency.forgetSubject(id, '');
    }
    return {
      region: this.deps.config.CELL_REGION,
      startedAt,
      productsChecked: productIds.length,
      stockCorrected,
      reErased,
      storedResponsesForgotten,
      needsAPerson,
    };
  }
}
