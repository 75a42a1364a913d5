import { compliant, type ResidencyRule, violation } from '../finding';
import { encryptionAtRest } from '../encryption';
import { CUSTOMER_DATA_TYPES } from '../resource-kinds';

/**
 * Customer data is encrypted with a customer-managed KMS key in the region
 * of the data (for a global table: every replica's own key). Tables, queues
 * and buckets count as customer data unless tagged otherwise; any other store
 * counts when tagged `personal`.
 */
export const ResidencyCustomerManagedKey: ResidencyRule = {
  id: 'ResidencyCustomerManagedKey',
  description: 'Customer data is encrypted with a customer-managed KMS key in the same region as the data.',
  evaluate(inventory) {
    return inventory.resources
      .filter((r) =>
        r.classification === undefined
          ? CUSTOMER_DATA_TYPES.has(r.type)
          : r.classification === 'personal' && encryptionAtRest(r, inventory).length > 0,
      )
      .flatMap((r) =>
        encryptionAtRest(r, inventory).map((e) => {
          const where = e.dataRegion ?? 'an unknown region';
          if (e.kind !== 'customer-managed') {
            return violation(
              this.id,
              r,
              `data in ${where} is encrypted with ${e.kind === 'unresolved' ? 'a key that cannot be resolved' : `an ${e.kind} key (${e.key})`}.`,
              `Encrypt it with a customer-managed KMS key created in ${where} (e.g. TableEncryptionV2.customerManagedKey with a key ARN per replica region).`,
              e.location,
            );
          }
          if (!e.keyRegion || !e.dataRegion || e.keyRegion !== e.dataRegion) {
            return violation(
              this.id,
              r,
              `data in ${where} is encrypted with key ${e.key} in ${e.keyRegion ?? 'an unknown region'}.`,
              `Use a customer-managed key in ${where}, the region of the data.`,
              e.location,
            );
          }
          return compliant(this.id, r, `customer-managed key in ${e.keyRegion}.`, e.location);
        }),
      );
  },
};
