/**
 * Event source mapping filter for the outbox relay (plain data: the CDK
 * construct puts it in `filters`). Lambda is invoked only for INSERTs of
 * outbox items, not for every cart or order write. The relay checks the same
 * conditions itself, so the filter is an optimisation, never a correctness need.
 */
export const OUTBOX_STREAM_FILTER_PATTERN = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entity: { S: ['outbox'] } } },
} as const;
