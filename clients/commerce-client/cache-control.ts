/**
 * How long a response may be used without asking again, from its `Cache-Control` header:
 * `max-age=N` gives N seconds; `no-store`, `no-cache` and a missing header give 0 (revalidate
 * every time). `storable` is false only for `no-store`.
 */
export function freshness(header: string | null): { maxAgeMs: number; storable: boolean } {
  const directives = (header ?? '')
    .toLowerCase()
    .split(',')
    .map((part) => part.trim());
  if (directives.includes('no-store')) return { maxAgeMs: 0, storable: false };
  if (directives.includes('no-cache')) return { maxAgeMs: 0, storable: true };
  const maxAge = directives.find((directive) => /^max-age=\d+$/.test(directive));
  return { maxAgeMs: maxAge ? Number(maxAge.slice('max-age='.length)) * 1000 : 0, storable: true };
}
