/**
 * Tag keys every deployed resource carries. The stacks apply them; the
 * residency rules require them. One definition, read by both.
 */
export const TAG_KEYS = {
  app: 'commerce:app',
  zone: 'residency:zone',
  residency: 'residency:class',
  dataClassification: 'data:classification',
} as const;

/** Zone tag value of resources that serve every zone and hold no zone data (routing, the CDN). */
export const SHARED_ZONE_TAG = 'shared';
