/**
 * Which API paths carry personal data and which are public. The edge stack
 * fronts only the public paths with a CDN; the residency rules reject any CDN
 * behaviour that matches a personal-data path. One list, read by both.
 */

export const DATA_CLASSIFICATIONS = ['public', 'personal', 'operational'] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

/** Public, cacheable catalog read path (no personal data). */
export const PUBLIC_CATALOG_PATH_PREFIXES = ['/v1/products'] as const;

/**
 * How long a CDN may keep serving a catalog answer after it expired while
 * every cell of the zone fails (RFC 5861 `stale-if-error`, honoured by
 * CloudFront and by Cloudflare with Origin Cache Control): one day.
 */
export const PUBLIC_CATALOG_STALE_IF_ERROR_SECONDS = 86_400;

/** Paths that carry personal data: never behind a CDN outside the residency boundary. */
export const PERSONAL_DATA_PATH_PREFIXES = [
  '/v1/carts',
  '/v1/checkout',
  '/v1/orders',
  '/v1/customers',
] as const;

export function isPersonalDataPath(path: string): boolean {
  const normalized = path.startsWith('/') ? path : `/${path}`;
  return PERSONAL_DATA_PATH_PREFIXES.some(
    (prefix) => normalized === prefix || normalized.startsWith(`${prefix}/`),
  );
}
