/**
 * How the holds on a product's stock merge after a split (adapters/stock-ledger.ts keeps them). One hold
 * group is one checkout attempt's units of one product; each region that touched it wrote its own record
 * of it. The group's state is the furthest any region took it, in this order:
 *
 *   held < compensated < sold < cancelled
 *
 * - `sold` beats `compensated`: an order exists (an acknowledged write), so a compensation decided in the
 *   other region (its provider call timed out) was wrong and the units stay sold.
 * - `cancelled` beats `sold`: the cancel was acknowledged after the order; an order re-placed by a retry
 *   in the other region does not undo it (reconciliation moves the order item forward to match).
 * - A retry after a compensation is a new attempt, so a new group: it never has to undo `compensated`.
 * Units of a group count against stock while it is `held` or `sold`, once, however many regions wrote it.
 */
export type HoldState = 'held' | 'compensated' | 'sold' | 'cancelled';

const RANK: Readonly<Record<HoldState, number>> = { held: 0, compensated: 1, sold: 2, cancelled: 3 };

export interface HoldGroup {
  readonly productId: string;
  readonly checkoutId: string;
  readonly attempt: number;
  readonly quantity: number;
  readonly state: HoldState;
  /** The authorization its order named, recorded when the group was sold. */
  readonly authorizationId?: string;
}

export function mergeHoldStates(states: readonly HoldState[]): HoldState {
  return states.reduce((furthest, state) => (RANK[state] > RANK[furthest] ? state : furthest), 'held');
}

/** Does the group still take units from stock? */
export function holdIsActive(state: HoldState): boolean {
  return state === 'held' || state === 'sold';
}

/**
 * One intent sold twice. During a split each cell can run its own attempt of one checkout to an order: one
 * cell's attempt fails at the provider and is compensated while the other cell's first attempt succeeds,
 * then the first cell retries under its next attempt. The two orders merge into one (the order id derives
 * from the checkout), which names one attempt (`orderAttempt`). A sold group of any other attempt of that
 * checkout is superseded: its units are not taken, and its authorization is held for nothing.
 */
export function isSuperseded(group: HoldGroup, orderAttempt: number | undefined): boolean {
  return group.state === 'sold' && orderAttempt !== undefined && group.attempt !== orderAttempt;
}
