import { CheckoutSagaRepository } from '../../adapters/checkout-saga-repository';
import { CustomerRepository } from '../../adapters/customer-repository';
import { IdempotencyStore } from '../../adapters/idempotency-store';
import { StockLedger } from '../../adapters/stock-ledger';
import { providerKeyFor } from '../../core/checkout';
import type { HoldGroup } from '../../core/stock';
import type { ResolvedDependencies } from '../dependencies';
import { PaymentGateway } from './payment-gateway';

/**
 * Reconciliation: what a promoted (or failed-back) writer runs once replication has caught up, to repair
 * what last-writer-wins resolved wrongly while both regions took writes (see README, "Failover without
 * losing or duplicating anything"). Idempotent: running it twice changes nothing the second time.
 *
 * - Stock: every product's counter is recomputed from its hold ledger (received minus active holds), so
 *   decrements acknowledged on both sides count once each and releases made twice count once.
 *   A ledger that comes out below zero was oversold during the split: the counter stays at 0 and the
 *   units are listed for a person to decide.
 * - One intent sold twice: a checkout run to an order in both cells under two attempts (core/stock.ts
 *   `isSuperseded`). The merged order names one attempt; the other attempt's units go back to stock and its
 *   authorization is voided (voiding is idempotent, so a second run voids nothing new and lists it again).
 * - An attempt that authorized and never sold: its answer was lost (a provider timeout, a region lost between
 *   authorizing and placing, then the sweeper) and the saga was compensated with the outcome unknown, so
 *   nothing recorded its authorization. It is found at the provider by the attempt's key and voided, the
 *   saga first marked so a retry takes the next attempt; a retry that asks under the old key anyway (a
 *   replica without the mark) gets `voided` back and moves on (services/checkout.ts), never selling on it.
 * - Erasure: a customer erased on one side whose profile came back from the other side's update is
 *   erased again, with the stored responses of their earlier requests.
 */
export interface StockCorrection {
  readonly productId: string;
  readonly before: number;
  readonly after: number;
}

/** An attempt of a checkout sold on one side of a split that its merged order does not name. */
export interface SupersededSale {
  readonly checkoutId: string;
  readonly attempt: number;
  readonly productIds: readonly string[];
  readonly authorizationId: string | null;
  /** Its authorization voided at the provider (false: no authorization recorded, or the provider failed). */
  readonly voided: boolean;
}

/** An authorization held for an attempt of a checkout that never sold under it. */
export interface UnsoldAuthorization {
  readonly checkoutId: string;
  readonly attempt: number;
  readonly authorizationId: string;
  /** Voided at the provider (false: the provider failed; listed for a person). */
  readonly voided: boolean;
}

export interface NeedsAPerson {
  readonly kind: 'oversold' | 'authorization_not_voided';
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
  readonly supersededSales: readonly SupersededSale[];
  readonly unsoldAuthorizations: readonly UnsoldAuthorization[];
  readonly storedResponsesForgotten: number;
  readonly needsAPerson: readonly NeedsAPerson[];
}

export class ReconciliationService {
  private readonly ledger: StockLedger;
  private readonly customers: CustomerRepository;
  private readonly idempotency: IdempotencyStore;
  private readonly sagas: CheckoutSagaRepository;

  private readonly payments: PaymentGateway;

  constructor(private readonly deps: ResolvedDependencies) {
    this.payments = new PaymentGateway(deps);
    this.ledger = new StockLedger(deps.table);
    this.customers = new CustomerRepository(deps.table);
    this.idempotency = new IdempotencyStore(deps.table);
    this.sagas = new CheckoutSagaRepository(deps.table);
  }

  async run(): Promise<ReconciliationReport> {
    const startedAt = new Date(this.deps.now()).toISOString();
    const productIds = await this.ledger.productIds();
    const stockCorrected: StockCorrection[] = [];
    const needsAPerson: NeedsAPerson[] = [];
    const superseded: HoldGroup[] = [];
    const compensated: HoldGroup[] = [];
    for (const productId of productIds) {
      const result = await this.ledger.recompute(productId);
      if (!result) continue;
      superseded.push(...result.superseded);
      compensated.push(...result.compensated);
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
    const supersededSales = await this.voidSuperseded(superseded, needsAPerson);
    const unsoldAuthorizations = await this.voidUnsold(compensated, needsAPerson);
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
      supersededSales,
      unsoldAuthorizations,
      reErased,
      storedResponsesForgotten,
      needsAPerson,
    };
  }

  /**
   * Voids the live authorization of each attempt compensated with its provider outcome unknown: the only
   * compensation that can leave an authorization nobody recorded (a known outcome was a decline, a failure,
   * or voided on the spot; an unknown one is retried under the same attempt, so it is the saga's current
   * one). Each such saga is looked up once: afterwards its outcome is known, and a retry takes the next attempt.
   */
  private async voidUnsold(
    groups: readonly HoldGroup[],
    needsAPerson: NeedsAPerson[],
  ): Promise<UnsoldAuthorization[]> {
    const found: UnsoldAuthorization[] = [];
    for (const attemptGroups of byAttempt(groups)) {
      const { checkoutId, attempt } = attemptGroups[0]!;
      const saga = await this.sagas.get(checkoutId);
      // A reserved saga may be a retry in flight; a completed one sold (its order names its authorization).
      if (saga?.state !== 'compensated' || saga.attempt !== attempt || !saga.providerOutcomeUnknown) continue;
      const key = providerKeyFor({ checkoutId, attempt });
      const person = (action: string) =>
        needsAPerson.push({
          kind: 'authorization_not_voided',
          productId: attemptGroups[0]!.productId,
          units: attemptGroups.reduce((sum, g) => sum + g.quantity, 0),
          action,
        });
      const held = await this.payments.findByKey(key).catch((error: Error) => error);
      if (held instanceof Error) {
        person(
          `checkout ${checkoutId} attempt ${attempt} never sold; looking up its authorization (key ${key}) failed (${held.message}): run reconciliation again`,
        );
        continue;
      }
      // Known from now on, before any void: a retry from here takes the next attempt, and a retry that
      // restarted this one since the read above makes the mark fail, so its authorization is left alone.
      if (!(await this.sagas.settleProviderOutcome(checkoutId, attempt))) continue;
      if (!held || held.voided) continue;
      const voided = await this.payments.void(held.authorizationId).then(
        () => true,
        () => false,
      );
      if (!voided)
        person(
          `checkout ${checkoutId} attempt ${attempt} never sold, yet authorization ${held.authorizationId} is held; voiding it failed: void it at the provider`,
        );
      found.push({ checkoutId, attempt, authorizationId: held.authorizationId, voided });
    }
    return found;
  }

  /** One entry per superseded attempt (its products together), its authorization voided. */
  private async voidSuperseded(
    groups: readonly HoldGroup[],
    needsAPerson: NeedsAPerson[],
  ): Promise<SupersededSale[]> {
    const sales: SupersededSale[] = [];
    for (const attemptGroups of byAttempt(groups)) {
      const { checkoutId, attempt } = attemptGroups[0]!;
      const authorizationId = attemptGroups.find((g) => g.authorizationId)?.authorizationId ?? null;
      let voided = false;
      if (authorizationId) {
        voided = await this.payments.void(authorizationId).then(
          () => true,
          () => false,
        );
      }
      if (!voided)
        needsAPerson.push({
          kind: 'authorization_not_voided',
          productId: attemptGroups[0]!.productId,
          units: attemptGroups.reduce((sum, g) => sum + g.quantity, 0),
          action: authorizationId
            ? `checkout ${checkoutId} was sold twice during the split; voiding authorization ${authorizationId} of its attempt ${attempt} failed: run reconciliation again, or void it at the provider`
            : `checkout ${checkoutId} was sold twice during the split; its attempt ${attempt} recorded no authorization: find it at the provider (key ${providerKeyFor({ checkoutId, attempt })}) and void it`,
        });
      sales.push({
        checkoutId,
        attempt,
        productIds: attemptGroups.map((g) => g.productId),
        authorizationId,
        voided,
      });
    }
    return sales;
  }
}

/** Hold groups by checkout attempt (one attempt's products together). */
function byAttempt(groups: readonly HoldGroup[]): HoldGroup[][] {
  const attempts = new Map<string, HoldGroup[]>();
  for (const g of groups) {
    const id = `${g.checkoutId}#${g.attempt}`;
    attempts.set(id, [...(attempts.get(id) ?? []), g]);
  }
  return [...attempts.values()];
}

/** A scheduled run: reconciliation on the zone's writer only (a fenced secondary skips, saying why). */
export async function reconcileIfWriter(
  deps: ResolvedDependencies,
): Promise<ReconciliationReport | { readonly skipped: string }> {
  const { writer, reason } = await deps.writerFence.state();
  if (!writer)
    return { skipped: `not the zone's writer (${reason ?? 'fenced'}): reconciliation runs on the writer` };
  return new ReconciliationService(deps).run();
}
