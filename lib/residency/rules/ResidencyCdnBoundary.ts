import { type CdnBehavior, type CdnOrigin, cdnBehaviors } from '../cdn';
import { type Finding, compliant, type ResidencyRule, violation } from '../finding';
import { type Inventory, type InventoryResource, isRestricted } from '../inventory';
import { CLOUDFRONT_DISTRIBUTION } from '../resource-kinds';

const FIX_PERSONAL =
  'Front only public paths (static assets, /v1/products) with the CDN; personal-data paths go straight to the zone failover record.';

function checkOrigin(
  ruleId: string,
  distribution: InventoryResource,
  behavior: CdnBehavior,
  origin: CdnOrigin,
): Finding | undefined {
  const at = `behavior ${behavior.pathPattern} -> origin ${origin.id} (${origin.domain})`;
  const zone = origin.zone;
  if (zone?.sovereign) {
    return violation(
      ruleId,
      distribution,
      `${at} fronts sovereign zone ${zone.name}; no CDN may sit in front of a sovereign zone.`,
      `Remove the origin; clients of zone ${zone.name} resolve ${zone.apiDomainName} directly.`,
      behavior.location,
    );
  }
  if (!behavior.routesPersonalData) return undefined;
  if (origin.kind === 'external') return undefined;
  if (origin.kind === 's3') {
    if (origin.bucket?.classification === 'personal' && zone && isRestricted(zone)) {
      return violation(
        ruleId,
        distribution,
        `${at} serves bucket ${origin.bucket.constructPath}, classified personal, of residency-restricted zone ${zone.name}.`,
        FIX_PERSONAL,
        behavior.location,
      );
    }
    return undefined;
  }
  if (origin.kind === 'unresolved') {
    return violation(
      ruleId,
      distribution,
      `${at} can route personal-data paths to an origin whose zone cannot be resolved from the assembly.`,
      `Name origins by their deterministic zone API names (api.<zone>.<domain>), or narrow the behaviour to public paths. ${FIX_PERSONAL}`,
      behavior.location,
    );
  }
  if (zone && isRestricted(zone)) {
    return violation(
      ruleId,
      distribution,
      `${at} routes personal-data paths of residency-restricted zone ${zone.name} (residency ${zone.residency}) through the CDN.`,
      FIX_PERSONAL,
      behavior.location,
    );
  }
  return undefined;
}

function checkBehavior(ruleId: string, distribution: InventoryResource, behavior: CdnBehavior): Finding[] {
  const findings = behavior.origins
    .map((origin) => checkOrigin(ruleId, distribution, behavior, origin))
    .filter((f): f is Finding => f !== undefined);
  if (!behavior.isDefault && behavior.routesPersonalData && findings.length === 0) {
    findings.push(
      violation(
        ruleId,
        distribution,
        `cache behavior ${behavior.pathPattern} explicitly matches a personal-data path.`,
        FIX_PERSONAL,
        behavior.location,
      ),
    );
  }
  return findings.length > 0
    ? findings
    : [
        compliant(
          ruleId,
          distribution,
          `behavior ${behavior.pathPattern} fronts no personal-data path of a restricted zone.`,
          behavior.location,
        ),
      ];
}

/** A CDN never fronts personal-data paths of a residency-restricted zone, and never a sovereign zone. */
export const ResidencyCdnBoundary: ResidencyRule = {
  id: 'ResidencyCdnBoundary',
  description:
    "A CDN never fronts a residency-restricted zone's personal-data paths, and never fronts a sovereign zone.",
  evaluate(inventory: Inventory) {
    return inventory.resources
      .filter((r) => r.type === CLOUDFRONT_DISTRIBUTION)
      .flatMap((distribution) =>
        cdnBehaviors(distribution, inventory).flatMap((behavior) =>
          checkBehavior(this.id, distribution, behavior),
        ),
      );
  },
};
