import { assertSafeUrl, classifyAddress, localNetwork, type Resolver } from '../../../lambdas/webhooks/ssrf';

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
    // IPv4-compatible IPv6 (::/96) embeds any IPv4 address, metadata included.
    ['::169.254.169.254', 'reserved'],
    ['::a9fe:a9fe', 'reserved'],
    ['::10.0.0.1', 'reserved'],
    ['::127.0.0.1', 'reserved'],
    ['::8.8.8.8', 'reserved'],
    ['::', 'reserved'],
    // IPv4-mapped and -translated forms, whatever the embedded address.
    ['::ffff:169.254.169.254', 'reserved'],
    ['::ffff:8.8.8.8', 'reserved'],
    ['::ffff:0:a00:1', 'reserved'],
    ['64:ff9b:1::a00:1', 'reserved'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'], // Teredo
    ['fec0::1', 'private'], // site-local
    ['feff::1', 'private'],
    ['93.184.216.34', 'public'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
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
    ['https://[::169.254.169.254]/latest/meta-data', /reserved address/],
    ['https://[::10.0.0.1]/', /reserved address/],
    ['https://[::127.0.0.1]/', /reserved address/],
    ['https://[::ffff:169.254.169.254]/', /reserved address/],
    ['https://[fec0::1]/', /private address/],
    ['http://hooks.example.com/', /must use https/],
    ['https://user:pw@hooks.example.com/', /credentials/],
    ['https://nowhere.example.com/', /does not resolve/],
    ['ftp://hooks.example.com/', /must use https/],
  ])('refuses %s in cloud mode', async (url, message) => {
    await expect(assertSafeUrl(url, { mode: 'cloud', resolve })).rejects.toThrow(message);
  });

  it('allows loopback in local mode only on the listed ports, and still refuses private and metadata', async () => {
    const mode = localNetwork([4401]);
    await expect(assertSafeUrl('http://127.0.0.1:4401/hooks', { mode, resolve })).resolves.toEqual([
      '127.0.0.1',
    ]);
    await expect(assertSafeUrl('http://localhost:4401/', { mode, resolve })).resolves.toHaveLength(2);
    await expect(assertSafeUrl('https://internal.example.com/', { mode, resolve })).rejects.toThrow(
      /private/,
    );
    await expect(assertSafeUrl('http://169.254.169.254/', { mode, resolve })).rejects.toThrow(/metadata/);
    await expect(assertSafeUrl('http://hooks.example.com/', { mode, resolve })).rejects.toThrow(
      /plain http is allowed for loopback only/,
    );
  });

  it.each([
    ['the edge control API', 'http://127.0.0.1:4400/control/replication/global/pause'],
    ['DynamoDB Local', 'http://127.0.0.1:4402/'],
    ['a cell', 'http://localhost:4420/v1/health'],
    ['the default http port', 'http://127.0.0.1/'],
    ['IPv6 loopback on another port', 'http://[::1]:4400/'],
    ['IPv4-compatible loopback on the sink port', 'http://[::127.0.0.1]:4401/'],
  ])('refuses %s in local mode (not a listed loopback port)', async (_what, url) => {
    await expect(assertSafeUrl(url, { mode: localNetwork([4401]), resolve })).rejects.toThrow(
      /not a webhook target of the local topology|reserved address/,
    );
  });
});
