/**
 * Tags as CloudFormation spells them: most types use `[{Key, Value}]`, a few
 * use a map, and some use their own property name. Read them all the same way.
 */

const TAG_PROPERTY_BY_TYPE: Readonly<Record<string, string>> = {
  'AWS::Route53::HealthCheck': 'HealthCheckTags',
  'AWS::Route53::HostedZone': 'HostedZoneTags',
  'AWS::Backup::BackupVault': 'BackupVaultTags',
};

export function tagsFromValue(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    const tags: Record<string, string> = {};
    for (const entry of value) {
      if (entry && typeof entry.Key === 'string' && typeof entry.Value === 'string')
        tags[entry.Key] = entry.Value;
    }
    return tags;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    );
  }
  return {};
}

/** The resource's own tags; a global table carries them per replica, so read the first replica's. */
export function resourceTags(type: string, properties: Record<string, unknown>): Record<string, string> {
  if (type === 'AWS::DynamoDB::GlobalTable' && Array.isArray(properties.Replicas)) {
    return Object.assign({}, ...properties.Replicas.map((r: { Tags?: unknown }) => tagsFromValue(r?.Tags)));
  }
  return tagsFromValue(properties[TAG_PROPERTY_BY_TYPE[type] ?? 'Tags']);
}

/** True when the template gives the resource a tag property at all (CDK adds one to every taggable L1 it tags). */
export function hasTagProperty(type: string, properties: Record<string, unknown>): boolean {
  if (type === 'AWS::DynamoDB::GlobalTable') return true;
  return (TAG_PROPERTY_BY_TYPE[type] ?? 'Tags') in properties;
}
