import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { defaultAwsClients } from '../../../chaos/aws/clients';
import { preflight } from '../../../chaos/aws/preflight';
import { loadTopology, zoneByName } from '../../../lib/topology';
import { cloudWatch, HEALTH_CHECK_IDS, mockDeployment, sts } from './deployment';

const model = loadTopology();
const zone = zoneByName(model, 'global');
const input = { model, zone, loadRegions: ['us-east-1', 'eu-central-1'], mechanism: 'route53' as const };

describe('AWS drill preflight (SDK v3 call shapes)', () => {
  it('passes a healthy deployment and resolves health-check ids, load generators and alarms', async () => {
    const state = mockDeployment();
    const result = await preflight(input, defaultAwsClients());
    expect(result.lines.filter((l) => !l.ok)).toEqual([]);
    expect(result.passed).toBe(true);
    expect(Object.fromEntries(result.targets.healthCheckIds)).toEqual(HEALTH_CHECK_IDS);
    expect([...result.generators.keys()]).toEqual(['us-east-1', 'eu-central-1']);
    expect(result.generators.get('eu-central-1')).toMatchObject({
      clusterName: 'commerce-load',
      resultsBucket: 'commerce-load-results-111111111111-eu-central-1',
    });
    // Both cells' stacks, the routing stack, both load generator stacks; no DrillStack without --fault fis.
    expect(state.calls.filter((c) => c.startsWith('DescribeStacks'))).toEqual([
      'DescribeStacks commerce-cell-global-us-east-1',
      'DescribeStacks commerce-cell-global-us-west-2',
      expect.stringMatching(/^DescribeStacks commerce-.*routing/),
      'DescribeStacks commerce-load-us-east-1',
      'DescribeStacks commerce-load-eu-central-1',
    ]);
    expect(result.cellAlarms.map((c) => c.alarms.map((a) => a.AlarmName))).toEqual([
      [
        'commerce-cell-global-us-east-1-api-5xx-rate',
        'commerce-cell-global-us-east-1-api-p99-latency',
        'commerce-cell-global-us-east-1-stream-iterator-age',
        'commerce-cell-global-us-east-1-replication-latency',
        'commerce-cell-global-us-east-1-dead-letter-depth-0',
      ],
      [
        'commerce-cell-global-us-west-2-api-5xx-rate',
        'commerce-cell-global-us-west-2-api-p99-latency',
        'commerce-cell-global-us-west-2-stream-iterator-age',
        'commerce-cell-global-us-west-2-dead-letter-depth-0',
      ],
    ]);
    // Alarms are read in each cell's own region.
    const regions = await Promise.all(
      cloudWatch.commandCalls(DescribeAlarmsCommand).map((call) => call.thisValue.config.region()),
    );
    expect(new Set(regions)).toEqual(new Set(['us-east-1', 'us-west-2']));
  });

  it('stops at the credentials when STS fails, and says how to sign in', async () => {
    const state = mockDeployment();
    sts
      .on(GetCallerIdentityCommand)
      .rejects(new Error('The SSO session associated with this profile has expired'));
    const result = await preflight(input, defaultAwsClients());
    expect(result.passed).toBe(false);
    expect(result.lines).toEqual([
      expect.objectContaining({
        ok: false,
        check: 'credentials',
        detail: expect.stringMatching(/aws sso login/),
      }),
    ]);
    expect(state.calls).toEqual([]);
  });

  it('refuses credentials of another account than the topology names', async () => {
    const state = mockDeployment();
    state.account = '999999999999';
    const result = await preflight(input, defaultAwsClients());
    expect(result.passed).toBe(false);
    expect(result.lines[0]).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/account 999999999999.*111111111111/),
    });
  });

  it('names a missing stack with the command that deploys it, and still runs every other check', async () => {
    const state = mockDeployment();
    state.missingStacks.add('commerce-load-eu-central-1');
    const result = await preflight(input, defaultAwsClients());
    expect(result.passed).toBe(false);
    expect(result.lines.filter((l) => !l.ok)).toEqual([
      {
        ok: false,
        check: 'stack commerce-load-eu-central-1 (eu-central-1)',
        detail: expect.stringContaining(
          'npx cdk deploy commerce-load-eu-central-1 -c loadGenerators=us-east-1,eu-central-1',
        ),
      },
    ]);
    expect(state.calls).toContain('ListHealthChecks');
  });

  it('fails on a health check left inverted and on an alarm not OK', async () => {
    const state = mockDeployment();
    state.inverted.add(HEALTH_CHECK_IDS['global/us-east-1']);
    state.alarmStates.set('commerce-cell-global-us-west-2-dead-letter-depth-0', 'ALARM');
    const result = await preflight(input, defaultAwsClients());
    expect(result.passed).toBe(false);
    expect(result.lines.filter((l) => !l.ok).map((l) => [l.check, l.detail])).toEqual([
      ['health check of global/us-east-1', expect.stringMatching(/inverted already.*--no-inverted/)],
      ['alarms of global/us-west-2', expect.stringMatching(/dead-letter-depth-0 is ALARM/)],
    ]);
  });

  it('looks the FIS template up only for --fault fis, and fails when the DrillStack is missing', async () => {
    const state = mockDeployment();
    state.missingStacks.add('commerce-drills-global');
    const result = await preflight({ ...input, mechanism: 'fis' }, defaultAwsClients());
    expect(result.passed).toBe(false);
    expect(result.lines.filter((l) => !l.ok).map((l) => l.check)).toEqual([
      'stack commerce-drills-global (us-east-1)',
    ]);
  });
});
