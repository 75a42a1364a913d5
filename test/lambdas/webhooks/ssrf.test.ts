import { assertSafeUrl, classifyAddress, type Resolver } from '../../../lambdas/webhooks/ssrf';

const resolverFor =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const addresses = table[host];
    if (!addresses) throw new Error('ENOTFOUND');
    return addresses;
  };

describe('SSRF guard for subscriber URLs', () => {
  const resolve = resolverFor({
    'hooks.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'internal.example.com': ['10.1.2.3'],
    'sneaky.example.com': ['93.184.216.34', '192.168.1.10'],
    'metadata.example.com': ['169.254.169.254'],
    'linklocal.example.com': ['fe80::1'],
    localhost: ['127.0.0.1', '::1'],
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.100.1.1', 'private'],
    ['fd12::1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::abcd', 'link-local'],
    ['0.0.0.0', 'reserved'],
    ['::ffff:127.0.0.1', 'reserved'],
    ['64:ff9b::a00:1', 'reserved'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
  ])('classifies %s as %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it('accepts a public https URL in cloud mode', async () => {
    await expect(
      assertSafeUrl('https://hooks.example.com/in', { mode: 'cloud', resolve }),
    ).resolves.toHaveLength(2);
  });

  it.each([
    ['https://internal.example.com/x', /private address/],
    ['https://sneaky.example.com/x', /private address \(192\.168\.1\.10\)/],
    ['https://metadata.example.com/latest/meta-data', /metadata address/],
    ['https://169.254.169.254/latest/meta-data', /metadata address/],
    ['https://linklocal.example.com/', /link-local address/],
    ['https://localhost:8443/', /loopback address/],
    ['https://[::1]/', /loopback address/],
    ['https://[::ffff:7f00:1]/', /reserved address/],
    ['http://hooks.example.com/', /must use https/],
    ['https://user:pw@hooks.example.com/', /credentials/],
    ['https://nowhere.example.com/', /does not resolve/],
    ['ftp://hooks.example.com/', /must use https/],
  ])('refuses %s in cloud mode', async (url, message) => {
    await expect(assertSafeUrl(url, { mode: 'cloud', resolve })).rejects.toThrow(message);
  });

  it('allows loopback (http or https) in local mode but still refuses private and metadata', async () => {
    await expect(assertSafeUrl('http://127.0.0.1:4010/hooks', { mode: 'local', resolve })).resolves.toEqual([
      '127.0.0.1',
    ]);
    await expect(assertSafeUrl('http://localhost:4010/', { mode: 'local', resolve })).resolves.toHaveLength(
      2,
    );
    await expect(assertSafeUrl('https://internal.example.com/', { mode: 'local', resolve })).rejects.toThrow(
      /private/,
    );
    await expect(assertSafeUrl('http://169.254.169.254/', { mode: 'local', resolve })).rejects.toThrow(
      /metadata/,
    );
    await expect(assertSafeUrl('http://hooks.example.com/', { mode: 'local', resolve })).rejects.toThrow(
      /plain http is allowed for loopback only/,
    );
  });
});
