import { continentOf } from '../lambdas/core/geography';

/**
 * SIMULATED geolocation: the edge router reads the client's country from a
 * documented request header instead of locating the client's IP address.
 * The country -> continent table is the runtime's own (lambdas/core/geography),
 * so `continent:EU` geographies route locally exactly as Route 53 would.
 */

/** Request header naming the client's ISO 3166-1 alpha-2 country, e.g. `x-client-country: DE`. */
export const CLIENT_COUNTRY_HEADER = 'x-client-country';

export interface ClientGeography {
  readonly country: string | undefined;
  readonly continent: string | undefined;
}

/** Country and continent from the header value; both undefined when absent or malformed (default geography). */
export function clientGeography(headerValue: string | null | undefined): ClientGeography {
  const value = headerValue?.trim().toUpperCase();
  const country = value && /^[A-Z]{2}$/.test(value) ? value : undefined;
  return { country, continent: country ? continentOf(country) : undefined };
}
