import { PERSONAL_DATA_PATH_PREFIXES } from '../../../lambdas/core/data-classification';
import { type CloudflareFront, cloudflareFronts, requiredRegionKey } from '../cloudflare';
import { compliant, type Finding, type ResidencyRule, violation } from '../finding';
import { isRestricted } from '../inventory';

const FIX_PERSONAL =
  "Let only the public catalog (GET/HEAD) and the health path through: a block rule in the zone's http_request_firewall_custom ruleset for every other path of the CDN hostnames, and cache rules for public paths only (lib/cdn-terraform does both).";

function check(ruleId: string, front: CloudflareFront): Finding[] {
  const { loadBalancer, hostname } = front;
  const findings: Finding[] = [];
  const at = (what: string) => `Cloudflare hostname ${hostname}: ${what}`;
  for (const origin of front.origins) {
    const zone = origin.zone;
    if (zone?.sovereign) {
      findings.push(
        violation(
          ruleId,
          loadBalancer,
          at(
            `pool ${origin.pool} fronts sovereign zone ${zone.name} (${origin.host}); Cloudflare is outside the ${zone.partition} partition.`,
          ),
          `Remove the pool; clients of zone ${zone.name} resolve ${zone.apiDomainName} inside their partition.`,
          'default_pools',
        ),
      );
    } else if (zone && isRestricted(zone)) {
      const key = requiredRegionKey(zone);
      if (key && front.regionKey !== key) {
        findings.push(
          violation(
            ruleId,
            loadBalancer,
            at(
              `fronts residency-${zone.residency} zone ${zone.name} with ${front.regionKey ? `Regional Services region ${front.regionKey}` : 'no Regional Services region'}, so TLS and requests may be processed outside the zone's boundary.`,
            ),
            `Add a cloudflare_regional_hostname for ${hostname} with region_key "${key}", or do not front zone ${zone.name} with Cloudflare.`,
            'name',
          ),
        );
      }
    }
  }
  for (const prefix of PERSONAL_DATA_PATH_PREFIXES) {
    const exposures = front.personalExposures.filter(
      (e) => e.path === prefix || e.path.startsWith(`${prefix}/`),
    );
    const requests = (list: typeof exposures) => list.map((e) => `${e.method} ${e.path}`).join(', ');
    const reaching = exposures.filter((e) => e.reachesOrigin);
    if (reaching.length > 0) {
      findings.push(
        violation(
          ruleId,
          loadBalancer,
          at(
            `personal-data path ${prefix} reaches an origin through the CDN; no firewall rule blocks it for certain (${requests(reaching)}).`,
          ),
          FIX_PERSONAL,
          'http_request_firewall_custom',
        ),
      );
    }
    const caching = exposures.filter((e) => e.cached !== false);
    if (caching.length > 0) {
      findings.push(
        violation(
          ruleId,
          loadBalancer,
          at(
            `a cache rule ${caching.some((e) => e.cached === true) ? 'caches' : 'may cache'} personal-data path ${prefix} (${requests(caching)}).`,
          ),
          FIX_PERSONAL,
          'http_request_cache_settings',
        ),
      );
    }
  }
  for (const expression of front.unreadable) {
    findings.push(
      violation(
        ruleId,
        loadBalancer,
        at(`the rule expression ${expression} cannot be read, so its reach cannot be proven.`),
        'Write the rule in the Cloudflare Rules language (fields, eq/in/starts_with, and/or/not).',
        'rules',
      ),
    );
  }
  if (findings.length > 0) return findings;
  const fronted = front.served.filter((v) => v.reachesOrigin).map((v) => v.path);
  return [
    compliant(
      ruleId,
      loadBalancer,
      at(`fronts ${fronted.join(', ') || 'no path'}; no personal-data path, no sovereign zone.`),
      'name',
    ),
  ];
}

/** Cloudflare never fronts a sovereign zone or a personal-data path, and keeps a restricted zone's traffic in its region. */
export const ResidencyCloudflareBoundary: ResidencyRule = {
  id: 'ResidencyCloudflareBoundary',
  description:
    'Cloudflare (Terraform JSON) never fronts a sovereign zone or a personal-data path, and serves a residency-restricted zone only through Regional Services in its region.',
  evaluate(inventory) {
    return cloudflareFronts(inventory).flatMap((front) => check(this.id, front));
  },
};
