import { compliant, type ResidencyRule, violation } from '../finding';
import { isRestricted } from '../inventory';
import { reachableStores } from '../lambda-reach';

/**
 * A function's execution role reaches only stores in its zone's regions, and
 * never a store of another residency-restricted zone: data that a function
 * can read it can carry anywhere the function writes. Wildcard resources and
 * ARNs without a region (S3, IAM) are not decidable here and are left to
 * review in the report.
 */
export const ResidencyFunctionReachInZone: ResidencyRule = {
  id: 'ResidencyFunctionReachInZone',
  description:
    "A Lambda function's role reaches only stores in its zone's regions, never another restricted zone's.",
  evaluate(inventory) {
    return inventory.resources
      .filter((r) => r.type === 'AWS::Lambda::Function' && r.zone)
      .flatMap((fn) => {
        const zone = fn.zone!;
        return reachableStores(fn, inventory)
          .filter((store) => store.region)
          .map((store) => {
            const foreignZone = inventory.model.zones.find(
              (z) => z.name === store.zone && z.name !== zone.name,
            );
            if (!zone.regions.includes(store.region!)) {
              return violation(
                this.id,
                fn,
                `its role can act on ${store.target} in ${store.region}, outside zone ${zone.name} (${zone.regions.join(', ')}).`,
                `Grant the function only stores of zone ${zone.name}; reach other zones through their APIs.`,
                'Properties/Role',
              );
            }
            if (foreignZone && isRestricted(foreignZone)) {
              return violation(
                this.id,
                fn,
                `its role can act on ${store.target} of residency-restricted zone ${foreignZone.name}.`,
                `Grant the function only stores of zone ${zone.name}.`,
                'Properties/Role',
              );
            }
            return compliant(this.id, fn, `reaches ${store.target} in ${store.region}.`, 'Properties/Role');
          });
      });
  },
};
