import { encryptionAtRest } from '../encryption';
import { type Finding, compliant, type ResidencyRule, violation } from '../finding';
import { localReference, resolveString } from '../intrinsics';
import { type Inventory, type InventoryResource, sameStackResource } from '../inventory';
import { stackScope } from '../replication';

/**
 * Logs that record a client's IP address are personal data: API Gateway access
 * logs and CloudFront access logs. Each must be classified `personal`, kept in
 * a region of the zone whose clients it records, and encrypted with a
 * customer-managed key in its own region.
 */

const API_STAGE = 'AWS::ApiGateway::Stage';
const DISTRIBUTION = 'AWS::CloudFront::Distribution';

/** `<bucket>.s3.<region>.amazonaws.com`, `<bucket>.s3-<region>...` or `<bucket>.s3.amazonaws.com` (us-east-1). */
function parseBucketDomain(domain: string): { name: string; region?: string } | undefined {
  const match = /^(.+?)\.s3[.-]((?:[a-z]{2,4}-)+[a-z]+-\d)?\.?amazonaws\.[a-z.]+$/.exec(domain);
  if (!match) return undefined;
  return { name: match[1]!, ...(match[2] ? { region: match[2] } : {}) };
}

function bucketNamed(inventory: Inventory, name: string): InventoryResource | undefined {
  return inventory.resources.find(
    (r) => r.type === 'AWS::S3::Bucket' && resolveString(r.properties.BucketName, stackScope(r)) === name,
  );
}

/** The log store a stage or distribution writes to, and where, as far as the assembly tells. */
function logStore(
  resource: InventoryResource,
  inventory: Inventory,
): { store?: InventoryResource; region?: string; location: string; described: string } | undefined {
  if (resource.type === API_STAGE) {
    const destination = (resource.properties.AccessLogSetting as { DestinationArn?: unknown } | undefined)
      ?.DestinationArn;
    if (destination === undefined) return undefined;
    const local = localReference(destination);
    const store = local ? sameStackResource(inventory, resource, local.logicalId) : undefined;
    return {
      ...(store ? { store, region: store.stack.region } : {}),
      location: 'Properties/AccessLogSetting/DestinationArn',
      described: 'its access log group',
    };
  }
  const logging = (resource.properties.DistributionConfig as { Logging?: { Bucket?: unknown } } | undefined)
    ?.Logging;
  if (logging?.Bucket === undefined) return undefined;
  const location = 'Properties/DistributionConfig/Logging/Bucket';
  const local = localReference(logging.Bucket);
  if (local) {
    const store = sameStackResource(inventory, resource, local.logicalId);
    return { ...(store ? { store, region: store.stack.region } : {}), location, described: 'its log bucket' };
  }
  const domain = resolveString(logging.Bucket, stackScope(resource));
  const parsed = domain ? parseBucketDomain(domain) : undefined;
  const store = parsed ? bucketNamed(inventory, parsed.name) : undefined;
  const region = store?.stack.region ?? parsed?.region;
  return {
    ...(store ? { store } : {}),
    ...(region ? { region } : {}),
    location,
    described: `log bucket ${parsed?.name ?? domain ?? '?'}`,
  };
}

export const ResidencyClientIpLogs: ResidencyRule = {
  id: 'ResidencyClientIpLogs',
  description:
    "Logs carrying client IPs (API access logs, CDN logs) are classified personal, stay in the zone's regions and are encrypted with a customer-managed key there.",
  evaluate(inventory) {
    const findings: Finding[] = [];
    for (const r of inventory.resources.filter((x) => x.type === API_STAGE || x.type === DISTRIBUTION)) {
      const target = logStore(r, inventory);
      if (!target) continue;
      const { store, region, location, described } = target;
      const zone = r.zone;
      const problems: string[] = [];
      const fixes: string[] = [];
      if (!zone) {
        problems.push(`it is not tagged with a zone, so whose visitors ${described} records is unknown`);
        fixes.push('Tag it residency:zone with the zone it serves.');
      } else if (!region || !zone.regions.includes(region)) {
        problems.push(
          `${described} is in ${region ?? 'an unknown region'}, outside zone ${zone.name}'s regions (${zone.regions.join(', ')})`,
        );
        fixes.push(`Write the logs to a store in ${zone.regions.join(' or ')}.`);
      }
      if (!store) {
        problems.push(
          `${described} is not in the assembly, so its classification and encryption cannot be checked`,
        );
        fixes.push('Define the log store in a stack of this app.');
      } else {
        if (store.classification !== 'personal') {
          problems.push(
            `${described} is classified ${store.classification ?? 'nothing'}, but client IPs are personal data`,
          );
          fixes.push(`Tag it data:classification=personal.`);
        }
        const encryption = encryptionAtRest(store, inventory);
        const cmk =
          encryption.length > 0 &&
          encryption.every((e) => e.kind === 'customer-managed' && e.keyRegion === region);
        if (!cmk) {
          problems.push(
            `${described} is not encrypted with a customer-managed key in ${region ?? 'its region'}`,
          );
          fixes.push(`Encrypt it with the zone's customer-managed key in ${region ?? 'its region'}.`);
        }
      }
      findings.push(
        problems.length > 0
          ? violation(this.id, r, `${problems.join('; ')}.`, fixes.join(' '), location)
          : compliant(
              this.id,
              r,
              `${described} is personal, in ${region}, encrypted with a customer-managed key.`,
              location,
            ),
      );
    }
    return findings;
  },
};
