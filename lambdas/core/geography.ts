import * as z from 'zod';

/**
 * Which residency zone a customer belongs to, decided from their country by
 * the topology's geography rules with Route 53 geolocation precedence
 * (country, then continent, then default) — the same rule as
 * `zoneForGeography` in lib/topology/model.ts, which calls `zoneNameForGeography` below.
 * The cell receives the rules as `ZONE_GEOGRAPHIES` (zone -> geographies).
 */

/** ISO 3166-1 alpha-2 countries by Route 53 continent code. */
const CONTINENT_COUNTRIES: Record<string, string> = {
  AF: 'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW',
  AN: 'AQ BV GS HM TF',
  AS: 'AE AF AM AZ BD BH BN BT CC CN CX GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE',
  EU: 'AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK',
  NA: 'AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI',
  OC: 'AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS',
  SA: 'AR BO BR CL CO EC FK GF GY PE PY SR UY VE',
};

const CONTINENT_BY_COUNTRY: ReadonlyMap<string, string> = new Map(
  Object.entries(CONTINENT_COUNTRIES).flatMap(([continent, countries]) =>
    countries.split(' ').map((country) => [country, continent] as const),
  ),
);

export function continentOf(country: string): string | undefined {
  return CONTINENT_BY_COUNTRY.get(country.toUpperCase());
}

export const countrySchema = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as DE')
  .transform((c) => c.toUpperCase());

/** `ZONE_GEOGRAPHIES`: JSON object of zone name -> geographies (`default`, `continent:EU`, `country:DE`). */
export const zoneGeographiesSchema = z.record(z.string(), z.array(z.string()));
export type ZoneGeographies = z.output<typeof zoneGeographiesSchema>;

export type ZoneResolver = (country: string) => string;

/**
 * The zone whose rules match, with Route 53 geolocation precedence: country, then continent, then
 * `default`. The one implementation of the rule: the topology model (edge routing) calls it too.
 */
export function zoneNameForGeography(
  geographies: Readonly<Record<string, readonly string[]>>,
  country: string | undefined,
  continent: string | undefined,
): string | undefined {
  const owner = (geography: string) =>
    Object.entries(geographies).find(([, list]) => list.includes(geography))?.[0];
  return (
    (country ? owner(`country:${country.toUpperCase()}`) : undefined) ??
    (continent ? owner(`continent:${continent.toUpperCase()}`) : undefined) ??
    owner('default')
  );
}

/** A resolver for the given rules; with no rules every country belongs to `fallbackZone` (single-zone deployments). */
export function zoneResolver(geographies: ZoneGeographies, fallbackZone: string): ZoneResolver {
  return (country) =>
    zoneNameForGeography(geographies, country, continentOf(country.toUpperCase())) ?? fallbackZone;
}
