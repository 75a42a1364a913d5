import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from 'aws-lambda';

/** Lambda-shaped stream images (binary as base64) back to SDK attribute values, for writing them elsewhere. */
function toSdkAttribute(value: AttributeValue): SdkAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b, 'base64')) };
  if (value.L !== undefined) return { L: value.L.map(toSdkAttribute) };
  if (value.M !== undefined) return { M: toSdkImage(value.M) };
  throw new Error(`Unsupported attribute value: ${Object.keys(value).join(', ')}`);
}

export function toSdkImage(image: Record<string, AttributeValue>): Record<string, SdkAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, toSdkAttribute(v)]));
}

/** Order-independent text of an image (map keys and set members sorted): equal images, equal text. */
export function fingerprint(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(fingerprint).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries
      .map(([k, v]) => {
        const normalized = ['SS', 'NS', 'BS'].includes(k) && Array.isArray(v) ? [...v].sort() : v;
        return `${JSON.stringify(k)}:${fingerprint(normalized)}`;
      })
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
