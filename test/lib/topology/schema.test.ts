import { parseTopology, TopologyError } from '../../../lib/topology/loader';
import { MAX_FAILOVER_TTL_SECONDS, type TopologyInput } from '../../../lib/topology/schema';
import { validTopology } from '../../support/topologies';

/** Parse and return the problem lines (empty when valid). */
function problemsOf(input: unknown): readonly string[] {
  try {
    parseTopology(input, 'test');
    return [];
  } catch (error) {
    if (error instanceof TopologyError) return error.problems;
    throw error;
  }
}

function withChange(change: (t: TopologyInput) => void): TopologyInput {
  const topology = validTopology();
  change(topology);
  return topology;
}

describe('topology schema', () => {
  it('accepts the valid fixture and applies defaults', () => {
    const { healthCheck, zones } = parseTopology(validTopology());
    expect(healthCheck).toEqual({ path: '/v1/health', intervalSeconds: 10, failureThreshold: 3 });
    expect(zones[0].sovereign).toBe(false);
  });

  it.each<[string, (t: TopologyInput) => void, string]>([
    [
      'an unknown region',
      (t) => {
        t.zones[0].secondaryRegion = 'us-west-9';
      },
      'zones[0].secondaryRegion: zone global: unknown region "us-west-9"',
    ],
    [
      'a zone whose regions span partitions',
      (t) => {
        t.zones[1].secondaryRegion = 'eu-central-1';
      },
      'zones[1].secondaryRegion: zone eu: eusc-de-east-1 (aws-eusc) and eu-central-1 (aws) are in different partitions; DynamoDB global tables cannot replicate across partitions',
    ],
    [
      'primary equal to secondary',
      (t) => {
        t.zones[0].secondaryRegion = 'us-east-1';
      },
      'zones[0].secondaryRegion: zone global: secondaryRegion equals primaryRegion (us-east-1); choose another region or omit secondaryRegion',
    ],
    [
      'two zones with cells in the same region',
      (t) => {
        t.zones[1] = { ...t.zones[1], sovereign: false, residency: 'none', primaryRegion: 'us-west-2' };
      },
      'zones[1].primaryRegion: zone eu: us-west-2 already hosts a cell of zone global; both cells would claim the custom domain api.shop.example.com in the same account and region, so give each zone its own regions',
    ],
    [
      'duplicate zone names',
      (t) => {
        t.zones[1].name = 'global';
      },
      'zones[1].name: zone global: the name is already used by zones[0]; zone names must be unique',
    ],
    [
      'two zones claiming the same geography',
      (t) => {
        t.zones[1].geographies = ['continent:EU', 'default'];
      },
      'zones[1].geographies: zone eu: geography "default" is already served by zone global',
    ],
    [
      'no zone claiming the default',
      (t) => {
        t.zones[0].geographies = ['continent:NA'];
      },
      'zones: no zone serves geography "default"; add "default" to one zone',
    ],
    [
      'an eu zone with a region outside the EU',
      (t) => {
        t.zones[1] = {
          ...t.zones[1],
          sovereign: false,
          primaryRegion: 'eu-central-1',
          secondaryRegion: 'eu-west-2',
        };
      },
      'zones[1].secondaryRegion: zone eu: eu-west-2 is in GB, outside the EU; residency eu allows only EU regions',
    ],
    [
      'a health-check interval other than 10 or 30',
      (t) => {
        t.healthCheck = { intervalSeconds: 20 };
      },
      'healthCheck.intervalSeconds: is 20; Route 53 supports only 10 or 30 seconds',
    ],
    [
      'a failure threshold outside 1-10',
      (t) => {
        t.healthCheck = { failureThreshold: 0 };
      },
      'healthCheck.failureThreshold: is 0; Route 53 accepts 1 to 10 consecutive failures',
    ],
    [
      `a TTL over ${MAX_FAILOVER_TTL_SECONDS} s on failover records`,
      (t) => {
        t.dns = { ttlSeconds: 300 };
      },
      `dns.ttlSeconds: is 300; failover records need a TTL of at most ${MAX_FAILOVER_TTL_SECONDS} s`,
    ],
    [
      'a missing account for a partition in use',
      (t) => {
        t.accounts = { aws: '111111111111' };
      },
      'accounts.aws-eusc: partition aws-eusc is used by a zone but has no account; add accounts.aws-eusc',
    ],
    [
      'a malformed account id',
      (t) => {
        t.accounts = { aws: '1234', 'aws-eusc': '222222222222' };
      },
      'accounts.aws: must be a 12-digit AWS account id',
    ],
    [
      'a misspelled field',
      (t) => {
        (t as Record<string, unknown>).zone = [];
      },
      'Unrecognized key: "zone"',
    ],
  ])('rejects %s with a message naming the field and the fix', (_case, change, expected) => {
    // Act
    const problems = problemsOf(withChange(change));
    // Assess
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it('reports every problem at once, one line each', () => {
    // Prepare: four independent mistakes
    const broken = withChange((t) => {
      t.zones[0].secondaryRegion = 'us-east-1';
      t.healthCheck = { intervalSeconds: 15, failureThreshold: 11 };
      t.dns = { ttlSeconds: 120 };
    });
    // Act
    const problems = problemsOf(broken);
    // Assess
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining([
        'healthCheck.intervalSeconds',
        'healthCheck.failureThreshold',
        'dns.ttlSeconds',
        'zones[0].secondaryRegion',
      ]),
    );
  });

  it('rejects delegated name servers on a non-sovereign zone', () => {
    const problems = problemsOf(
      withChange((t) => {
        t.zones[0].delegatedNameServers = ['ns-1.awsdns-01.org'];
      }),
    );
    expect(problems).toEqual([
      expect.stringContaining('zones[0].delegatedNameServers: zone global: only sovereign zones'),
    ]);
  });
});

describe('topology auth', () => {
  it('accepts an identity provider and rejects a non-URL JWKS location', () => {
    const auth = {
      issuer: 'https://login.example.com/',
      audience: 'commerce-api',
      jwksUrl: 'https://login.example.com/jwks',
    };
    expect(parseTopology({ ...validTopology(), auth }).auth).toEqual(auth);
    expect(problemsOf({ ...validTopology(), auth: { ...auth, jwksUrl: 'jwks.json' } })).toEqual([
      expect.stringContaining('auth.jwksUrl:'),
    ]);
  });
});

describe('topology schema: operations settings', () => {
  it('defaults every operations setting so an existing topology stays valid', () => {
    const { api, waf, alerts, failover, backup, deployment, drills } = parseTopology(validTopology());
    expect({ api, waf, alerts, failover, backup, deployment, drills }).toEqual({
      api: {
        throttle: { rateLimit: 100, burstLimit: 200 },
        healthThrottle: { rateLimit: 20, burstLimit: 40 },
      },
      waf: { enabled: true, rateLimitPerIp: 2000 },
      alerts: { emails: [] },
      failover: { promotion: 'automatic' },
      backup: { enabled: true, retentionDays: 35 },
      deployment: { terminationProtection: true },
      drills: { fis: true, lambdaFaultInjection: false },
    });
  });

  it('names the field and the fix for a burst below its rate, a bad address and a low WAF limit', () => {
    expect(
      problemsOf({
        ...validTopology(),
        api: { throttle: { rateLimit: 100, burstLimit: 50 } },
        alerts: { emails: ['not-an-address'] },
        waf: { rateLimitPerIp: 5 },
      }),
    ).toEqual(
      expect.arrayContaining([
        'api.throttle.burstLimit: is 50, below rateLimit 100; make the burst at least the rate',
        expect.stringMatching(/^alerts\.emails\[0\]: /),
        expect.stringMatching(/^waf\.rateLimitPerIp: /),
      ]),
    );
  });

  it('refuses ARC fencing for a zone with a secondary in a partition without ARC', () => {
    const gov = {
      ...validTopology(),
      accounts: { aws: '111111111111', 'aws-eusc': '222222222222', 'aws-us-gov': '333333333333' },
      zones: [
        ...validTopology().zones,
        {
          name: 'gov',
          residency: 'none' as const,
          primaryRegion: 'us-gov-west-1',
          secondaryRegion: 'us-gov-east-1',
          geographies: ['country:US'],
        },
      ],
      failover: { fencing: 'arc' as const },
    };
    expect(problemsOf(gov)).toEqual([
      'failover.fencing: zone gov: partition aws-us-gov has no Route 53 ARC routing controls to fence its writer; set failover.fencing: none (or leave it unset: zones without ARC are then unfenced)',
    ]);
  });
});

describe('topology edge: origin timeouts, CDN steering, Cloudflare', () => {
  const cloudflare = { accountId: '0123456789abcdef0123456789abcdef', zone: { create: true as const } };
  const withEdge = (edge: Record<string, unknown>) => ({
    ...validTopology(),
    edge: { enabled: true, ...edge },
  });

  it('defaults to fast origin failover and weighted 50/50 steering, without a second vendor', () => {
    const { edge } = parseTopology(validTopology());
    expect(edge.origin).toEqual({
      connectionAttempts: 1,
      connectionTimeoutSeconds: 2,
      readTimeoutSeconds: 5,
    });
    expect(edge.steering).toEqual({
      mode: 'weighted',
      weights: { cloudfront: 50, cloudflare: 50 },
      primary: 'cloudfront',
    });
    expect(edge.cloudflare).toBeUndefined();
    expect(
      parseTopology(withEdge({ cloudflare: { accountId: cloudflare.accountId } })).edge.cloudflare?.zone,
    ).toEqual({
      create: true,
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      'CloudFront connection attempts out of range',
      { origin: { connectionAttempts: 4 } },
      'edge.origin.connectionAttempts: CloudFront makes 1 to 3 connection attempts',
    ],
    [
      'a connection timeout CloudFront refuses',
      { origin: { connectionTimeoutSeconds: 30 } },
      'edge.origin.connectionTimeoutSeconds: CloudFront accepts 1 to 10 seconds',
    ],
    [
      'a Route 53 weight above 255',
      { steering: { weights: { cloudfront: 300 } }, cloudflare },
      'edge.steering.weights.cloudfront: is 300; Route 53 weights are 0 to 255',
    ],
    [
      'both weights 0',
      { steering: { weights: { cloudfront: 0, cloudflare: 0 } }, cloudflare },
      'edge.steering.weights: both weights are 0, so Route 53 would send no client to either CDN; give at least one CDN a weight above 0',
    ],
    [
      'a Cloudflare primary without Cloudflare',
      { steering: { mode: 'failover', primary: 'cloudflare' } },
      'edge.steering.primary: is cloudflare but edge.cloudflare is not set; set edge.cloudflare or make cloudfront the primary',
    ],
    [
      'a CloudFront primary with the edge stack disabled',
      { enabled: false, steering: { mode: 'failover' }, cloudflare },
      'edge.steering.primary: is cloudfront but edge.enabled is false; enable the edge stack or make cloudflare the primary',
    ],
    [
      'a Cloudflare account id that is not one',
      { cloudflare: { ...cloudflare, accountId: 'acme' } },
      'edge.cloudflare.accountId: must be a Cloudflare account id (32 lowercase hex characters)',
    ],
    [
      'a verification key for an existing zone',
      {
        cloudflare: {
          ...cloudflare,
          zone: { id: 'fedcba9876543210fedcba9876543210' },
          verificationKey: 'abcdefgh12',
        },
      },
      'edge.cloudflare.verificationKey: is set for an existing Cloudflare zone (zone.id); only a zone this toolkit creates needs it, so remove it',
    ],
  ])('rejects %s, naming the field and the fix', (_, edge, expected) => {
    expect(problemsOf(withEdge(edge))).toEqual([expected]);
  });
});
