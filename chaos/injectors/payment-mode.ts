import { testPaymentMethodFor } from '../../local/payment-provider';
import { type FaultDescription, ReversibleFault } from './types';

/**
 * The dependency-latency fault on the local topology: checkouts of the drill
 * load pay with the test payment method for which the local payment provider
 * never answers (local/payment-provider.ts). SIMULATED: the
 * provider is a stand-in and the fault is chosen per request by the load,
 * but what is drilled is real: the API's payment timeout and circuit breaker.
 */
export const HANGING_PAYMENT_METHOD = testPaymentMethodFor('hang');

export class PaymentHangFault extends ReversibleFault {
  private active = false;

  describe(): FaultDescription {
    return {
      mechanism: 'local',
      fault: `payment provider hangs (drill checkouts pay with ${HANGING_PAYMENT_METHOD})`,
      target: 'local payment provider',
      simulated: true,
    };
  }

  /** The payment method the drill load should use now (undefined: the API default). */
  paymentMethod(): string | undefined {
    return this.active ? HANGING_PAYMENT_METHOD : undefined;
  }

  protected async apply(): Promise<void> {
    this.active = true;
  }

  protected async undo(): Promise<void> {
    this.active = false;
  }
}
