import { randomUUID } from 'node:crypto';
import {
  type AuthorizeRequest,
  type AuthorizeResult,
  type KeyedAuthorization,
  type PaymentProvider,
  PaymentUnavailableError,
} from '../lambdas/core/payment';

/**
 * SIMULATED payment provider for the local topology and tests. Behaviour is
 * chosen per payment method (like a real provider's test cards) or forced for
 * every call with `setMode`: approve, decline, fail (provider 5xx), hang
 * (never answers; the checkout's timeout must fire) or late (authorizes, but
 * the answer never arrives: the caller times out not knowing it was charged).
 * Authorizations are deduplicated by idempotency key, exactly as the port requires: a repeat gets the
 * key's authorization back, and `voided` once it was voided (as a real provider replays the cancelled one).
 */
export type LocalPaymentMode = 'approve' | 'decline' | 'fail' | 'hang' | 'late';

export const TEST_PAYMENT_METHODS: Readonly<Record<string, LocalPaymentMode>> = {
  pm_card_ok: 'approve',
  pm_card_declined: 'decline',
  pm_card_fail: 'fail',
  pm_card_hang: 'hang',
  pm_card_late: 'late',
};

/** The test payment method that steers the provider into `mode`. */
export function testPaymentMethodFor(mode: LocalPaymentMode): string {
  return Object.entries(TEST_PAYMENT_METHODS).find(([, m]) => m === mode)![0];
}

export interface Authorization {
  readonly authorizationId: string;
  readonly request: AuthorizeRequest;
  voided: boolean;
}

export class LocalPaymentProvider implements PaymentProvider {
  private forcedMode: LocalPaymentMode | undefined;
  private readonly byKey = new Map<string, Authorization>();
  /** Every provider call, for tests and the status page. */
  readonly calls: { authorize: number; void: number } = { authorize: 0, void: 0 };

  setMode(mode: LocalPaymentMode | undefined): void {
    this.forcedMode = mode;
  }

  get authorizations(): readonly Authorization[] {
    return [...this.byKey.values()];
  }

  /** Authorizations that are live (not voided): the money actually held. */
  get activeAuthorizations(): readonly Authorization[] {
    return this.authorizations.filter((a) => !a.voided);
  }

  async authorize(request: AuthorizeRequest, signal: AbortSignal): Promise<AuthorizeResult> {
    this.calls.authorize += 1;
    const previous = this.byKey.get(request.idempotencyKey);
    if (previous)
      return { status: previous.voided ? 'voided' : 'authorized', authorizationId: previous.authorizationId };
    const mode = this.forcedMode ?? TEST_PAYMENT_METHODS[request.paymentMethod] ?? 'approve';
    switch (mode) {
      case 'decline':
        return { status: 'declined', reason: 'card_declined' };
      case 'fail':
        throw new PaymentUnavailableError('local provider answered 503');
      case 'hang':
        return this.neverAnswer(signal);
      case 'approve':
        return { status: 'authorized', authorizationId: this.authorizeNow(request) };
      case 'late':
        this.authorizeNow(request);
        return this.neverAnswer(signal);
    }
  }

  private authorizeNow(request: AuthorizeRequest): string {
    const authorization = { authorizationId: `auth_${randomUUID()}`, request, voided: false };
    this.byKey.set(request.idempotencyKey, authorization);
    return authorization.authorizationId;
  }

  /** An answer that never comes; the caller's abort ends the wait. */
  private neverAnswer(signal: AbortSignal): Promise<never> {
    return new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(new PaymentUnavailableError('timed out', true)), {
        once: true,
      });
    });
  }

  async findByKey(idempotencyKey: string): Promise<KeyedAuthorization | undefined> {
    const found = this.byKey.get(idempotencyKey);
    return found ? { authorizationId: found.authorizationId, voided: found.voided } : undefined;
  }

  async void(authorizationId: string): Promise<void> {
    this.calls.void += 1;
    for (const authorization of this.byKey.values()) {
      if (authorization.authorizationId === authorizationId) authorization.voided = true;
    }
  }
}
