import { HANGING_PAYMENT_METHOD, PaymentHangFault } from '../../../chaos/injectors/payment-mode';

describe('payment-hang fault (local dependency-latency drill)', () => {
  it('switches the drill load to the hanging payment method and back, idempotently', async () => {
    const fault = new PaymentHangFault();
    expect(fault.paymentMethod()).toBeUndefined();
    await fault.inject();
    expect(fault.paymentMethod()).toBe(HANGING_PAYMENT_METHOD);
    await fault.rollback();
    await fault.rollback();
    expect(fault.paymentMethod()).toBeUndefined();
    expect(fault.describe().simulated).toBe(true);
  });
});
