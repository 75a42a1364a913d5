import { compliant, type ResidencyRule, violation } from '../finding';
import { partitionOfRegion, replicationTargets } from '../replication';
import { DATA_STORE_TYPES } from '../resource-kinds';

/**
 * A zone never spans partitions: its stacks and every replication target sit
 * in the zone's partition (aws-eusc cannot replicate to aws, and vice versa).
 */
export const ResidencyZoneSinglePartition: ResidencyRule = {
  id: 'ResidencyZoneSinglePartition',
  description: "A zone's resources and replication targets are all in the zone's partition.",
  evaluate(inventory) {
    return inventory.resources.flatMap((r) => {
      const targets = replicationTargets(r, inventory);
      if (!r.zone || (!DATA_STORE_TYPES.has(r.type) && targets.length === 0)) return [];
      const zone = r.zone;
      const regions = [
        { region: r.stack.region, location: 'Stack/env' },
        ...targets.map((t) => ({ region: t.region, location: t.location })),
      ].filter((entry): entry is { region: string; location: string } => entry.region !== undefined);
      const stray = regions.find(({ region }) => partitionOfRegion(region) !== zone.partition);
      if (stray) {
        const partition = partitionOfRegion(stray.region) ?? 'an unknown partition';
        return [
          violation(
            this.id,
            r,
            `zone ${zone.name} is in partition ${zone.partition}, but this resource reaches ${stray.region} (${partition}).`,
            `Keep zone ${zone.name} inside ${zone.partition} (${zone.regions.join(', ')}); partitions cannot replicate to each other.`,
            stray.location,
          ),
        ];
      }
      return [compliant(this.id, r, `all regions in partition ${zone.partition}.`)];
    });
  },
};
