import { TAG_KEYS } from '../../tagging';
import { compliant, type ResidencyRule, violation } from '../finding';
import { replicationTargets } from '../replication';

/** Replicas and replication targets (global table replicas, S3 replication, log subscriptions, ...) stay in the zone. */
export const ResidencyReplicaInZone: ResidencyRule = {
  id: 'ResidencyReplicaInZone',
  description: "No replica or replication target outside the zone's regions.",
  evaluate(inventory) {
    return inventory.resources.flatMap((r) =>
      replicationTargets(r, inventory).map((target) => {
        const what = `${target.kind} ${target.target}`;
        if (!r.zone) {
          return violation(
            this.id,
            r,
            `${what} leaves a resource whose zone is unknown (${r.zoneName ? `zone "${r.zoneName}" is not in the topology` : 'no zone tag and the region belongs to no single zone'}).`,
            `Tag the stack with ${TAG_KEYS.zone} set to a topology zone so the target can be checked.`,
            target.location,
          );
        }
        const zone = r.zone;
        if (!target.region) {
          return violation(
            this.id,
            r,
            `${what}: the target's region cannot be resolved from the assembly, so it cannot be shown to stay in zone ${zone.name}.`,
            `Point it at a resource defined in this app (same stack, or by its literal name/ARN) in ${zone.regions.join(' or ')}.`,
            target.location,
          );
        }
        if (!zone.regions.includes(target.region)) {
          return violation(
            this.id,
            r,
            `${what} sends zone ${zone.name} data to ${target.region}, outside the zone's regions (${zone.regions.join(', ')}).`,
            `Replicate only to ${zone.regions.join(' or ')}; remove the ${target.region} target.`,
            target.location,
          );
        }
        return compliant(
          this.id,
          r,
          `${what} stays in ${target.region} (zone ${zone.name}).`,
          target.location,
        );
      }),
    );
  },
};
