import { DATA_CLASSIFICATIONS } from '../../../lambdas/core/data-classification';
import { SHARED_ZONE_TAG, TAG_KEYS } from '../../tagging';
import { compliant, type ResidencyRule, violation } from '../finding';
import { TAGGABLE_TYPES } from '../resource-kinds';
import { hasTagProperty } from '../tags';

/**
 * Every taggable resource carries its zone and data classification, on the
 * resource or through its stack's tags (CloudFormation propagates stack tags).
 * Routing and CDN resources serve every zone and are tagged with the shared
 * zone tag; that is accepted only for resources not classified personal.
 */
export const ResidencyTagged: ResidencyRule = {
  id: 'ResidencyTagged',
  description: `Every taggable resource is tagged ${TAG_KEYS.zone} (a topology zone) and ${TAG_KEYS.dataClassification} (${DATA_CLASSIFICATIONS.join('/')}).`,
  evaluate(inventory) {
    const zoneNames = inventory.model.zones.map((z) => z.name);
    return inventory.resources
      .filter((r) => TAGGABLE_TYPES.has(r.type) || hasTagProperty(r.type, r.properties))
      .map((r) => {
        const zone = r.tags[TAG_KEYS.zone] ?? r.stack.tags[TAG_KEYS.zone];
        const classification = r.classification;
        const problems: string[] = [];
        if (!zone) problems.push(`no ${TAG_KEYS.zone} tag`);
        else if (zone === SHARED_ZONE_TAG) {
          if (classification === 'personal')
            problems.push(
              `${TAG_KEYS.zone}=${SHARED_ZONE_TAG} holds no zone's data, but the resource is classified personal`,
            );
        } else if (!zoneNames.includes(zone))
          problems.push(`${TAG_KEYS.zone}=${zone} is not a topology zone (${zoneNames.join(', ')})`);
        if (!classification) problems.push(`no ${TAG_KEYS.dataClassification} tag`);
        else if (!(DATA_CLASSIFICATIONS as readonly string[]).includes(classification))
          problems.push(
            `${TAG_KEYS.dataClassification}=${classification} is not one of ${DATA_CLASSIFICATIONS.join(', ')}`,
          );
        if (problems.length > 0) {
          return violation(
            this.id,
            r,
            `${problems.join('; ')}.`,
            `Tag it (or its stack) with Tags.of(scope).add('${TAG_KEYS.zone}', '<${zoneNames.join('|')}>') and Tags.of(scope).add('${TAG_KEYS.dataClassification}', '<${DATA_CLASSIFICATIONS.join('|')}>').`,
            'Properties/Tags',
          );
        }
        return compliant(
          this.id,
          r,
          `tagged zone ${zone}, classification ${classification}.`,
          'Properties/Tags',
        );
      });
  },
};
