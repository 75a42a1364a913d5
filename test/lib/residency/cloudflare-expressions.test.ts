import { ExpressionError, parseExpression } from '../../../lib/residency/cloudflare-expressions';

const request = (path: string, method = 'GET', host = 'catalog.shop.example.com') => ({ host, path, method });

describe('Cloudflare rule expressions (the subset the residency rules follow)', () => {
  it('evaluates hosts, paths, methods and extensions with and/or/not', () => {
    const rule = parseExpression(
      '(http.host in {"catalog.shop.example.com" "x.example.com"} and not ((http.request.method in {"GET" "HEAD"} and starts_with(http.request.uri.path, "/v1/products")) or http.request.uri.path eq "/v1/health"))',
    );
    expect(rule(request('/v1/carts'))).toBe(true);
    expect(rule(request('/v1/products/p1'))).toBe(false);
    expect(rule(request('/v1/products', 'POST'))).toBe(true);
    expect(rule(request('/v1/health'))).toBe(false);
    expect(rule(request('/v1/carts', 'GET', 'other.example.com'))).toBe(false);
    expect(parseExpression('http.request.uri.path.extension in {"css" "js"}')(request('/a/app.JS'))).toBe(
      true,
    );
    expect(
      parseExpression('http.request.uri.path ne "/x" && ends_with(http.request.uri.path, ".png")')(
        request('/a.png'),
      ),
    ).toBe(true);
  });

  it('answers unknown for what it cannot follow, and keeps what is decided regardless', () => {
    const regex = parseExpression('http.request.uri.path matches "^/v1/carts"');
    expect(regex(request('/v1/carts'))).toBe('unknown');
    const otherField = parseExpression('ip.src in {192.0.2.0/24}');
    expect(otherField(request('/v1/carts'))).toBe('unknown');
    // false and unknown is false; true or unknown is true; not unknown is unknown.
    expect(parseExpression('http.host eq "nope" and cf.bot_management.verified_bot')(request('/'))).toBe(
      false,
    );
    expect(parseExpression('http.request.method eq "GET" or lower(http.host) eq "x"')(request('/'))).toBe(
      true,
    );
    expect(parseExpression('not http.request.uri.path matches "x"')(request('/'))).toBe('unknown');
  });

  it('rejects text that is not an expression', () => {
    expect(() => parseExpression('(http.host eq "a"')).toThrow(ExpressionError);
    expect(() => parseExpression('http.host eq "a" )')).toThrow(ExpressionError);
    expect(() => parseExpression('http.host eq "unterminated')).toThrow(ExpressionError);
  });
});
