/**
 * Builders for the few Cloudflare Rules language expressions the Cloudflare
 * stack writes (firewall and cache rules). Plain strings: the residency rules
 * evaluate the written Terraform JSON with their own reader
 * (lib/residency/cloudflare-expressions.ts), never with these builders.
 */

const quote = (value: string) => JSON.stringify(value);

/** `http.host in {"a" "b"}`: the request is for one of these hostnames. */
export function hostIn(hostnames: readonly string[]): string {
  if (hostnames.length === 0) throw new Error('hostIn: list at least one hostname');
  return `http.host in {${hostnames.map(quote).join(' ')}}`;
}

/** `starts_with(http.request.uri.path, "/p")`, or a disjunction of them. */
export function pathStartsWith(prefixes: readonly string[]): string {
  if (prefixes.length === 0) throw new Error('pathStartsWith: list at least one prefix');
  const terms = prefixes.map((prefix) => `starts_with(http.request.uri.path, ${quote(prefix)})`);
  return terms.length === 1 ? terms[0]! : `(${terms.join(' or ')})`;
}

/** `http.request.uri.path eq "/p"`. */
export function pathEquals(path: string): string {
  return `http.request.uri.path eq ${quote(path)}`;
}

/** `http.request.method in {"GET" "HEAD"}`. */
export function methodIn(methods: readonly string[]): string {
  return `http.request.method in {${methods.map(quote).join(' ')}}`;
}

export const and = (...terms: readonly string[]) => `(${terms.join(' and ')})`;
export const or = (...terms: readonly string[]) => `(${terms.join(' or ')})`;
export const not = (term: string) => `not ${term}`;
