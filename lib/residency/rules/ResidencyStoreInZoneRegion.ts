import { compliant, type ResidencyRule, violation } from '../finding';
import { DATA_STORE_TYPES } from '../resource-kinds';

/** Data stores (tables, buckets, queues, topics, log groups, buses, keys, ...) live in a region of their zone. */
export const ResidencyStoreInZoneRegion: ResidencyRule = {
  id: 'ResidencyStoreInZoneRegion',
  description: "Every data store is deployed in one of its zone's regions.",
  evaluate(inventory) {
    return inventory.resources
      .filter((r) => DATA_STORE_TYPES.has(r.type) && r.zone)
      .map((r) => {
        const zone = r.zone!;
        const region = r.stack.region;
        if (!region) {
          return violation(
            this.id,
            r,
            `stack ${r.stack.constructPath} is environment-agnostic, so the region of this ${zone.name}-zone store is unknown.`,
            `Give the stack an explicit env ({ account, region }) with a region of zone ${zone.name}: ${zone.regions.join(', ')}.`,
            'Stack/env',
          );
        }
        if (!zone.regions.includes(region)) {
          return violation(
            this.id,
            r,
            `store of zone ${zone.name} is in ${region}, outside the zone's regions (${zone.regions.join(', ')}).`,
            `Move it to a stack in ${zone.regions.join(' or ')}, or tag it with the zone that owns ${region}.`,
            'Stack/env',
          );
        }
        return compliant(this.id, r, `in ${region}, a region of zone ${zone.name}.`, 'Stack/env');
      });
  },
};
