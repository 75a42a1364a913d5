import { cloudflareFronts, logDestinationWithinZone } from '../cloudflare';
import { compliant, type Finding, type ResidencyRule, violation } from '../finding';
import { CLOUDFLARE_RESIDENCY } from '../../topology/cdn';

/** The request logs of a hostname Cloudflare serves for a zone stay where the zone's residency says. */
export const ResidencyCloudflareLogs: ResidencyRule = {
  id: 'ResidencyCloudflareLogs',
  description:
    "Cloudflare's request logs (Logpush) of a zone's hostnames go only to storage inside the zone's boundary (an R2 jurisdiction or the zone's own AWS regions).",
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const front of cloudflareFronts(inventory)) {
      const zones = [...new Set(front.origins.flatMap((o) => (o.zone ? [o.zone] : [])))];
      for (const log of front.logs) {
        for (const zone of zones) {
          const where = `Cloudflare hostname ${front.hostname} (zone ${zone.name}): logs go to ${log.location}`;
          if (logDestinationWithinZone(log, zone)) {
            findings.push(
              compliant(this.id, log.job, `${where}, inside the zone's boundary.`, 'destination_conf'),
            );
          } else {
            const wanted = zone.sovereign
              ? 'nowhere outside its partition: do not front this zone with Cloudflare'
              : `an R2 bucket in jurisdiction "${CLOUDFLARE_RESIDENCY[zone.residency].logJurisdiction}" or an S3 bucket in ${zone.regions.join(' or ')}`;
            findings.push(
              violation(
                this.id,
                log.job,
                `${where}${log.inconsistency ? ` (${log.inconsistency})` : ''}, outside residency ${zone.residency}${zone.sovereign ? ' (sovereign)' : ''}.`,
                `Send zone ${zone.name}'s logs to ${wanted}; filter the job on ClientRequestHost so each zone has its own destination.`,
                'destination_conf',
              ),
            );
          }
        }
      }
    }
    return findings;
  },
};
