import { assertLoopback, isLoopbackUrl, NonLoopbackTargetError } from '../../loadtests/loopback';

describe('loopback guard', () => {
  it.each(['http://127.0.0.1:8080', 'http://127.3.2.1', 'http://localhost:1', 'http://[::1]:9000/x'])(
    'accepts %s',
    (url) => expect(isLoopbackUrl(url)).toBe(true),
  );
  it.each([
    'http://10.0.0.1',
    'https://api.shop.example.com',
    'http://127.0.0.1.evil.com',
    'ftp://127.0.0.1',
    'not a url',
  ])('refuses %s', (url) => {
    expect(isLoopbackUrl(url)).toBe(false);
    expect(() => assertLoopback(url)).toThrow(NonLoopbackTargetError);
  });
});
