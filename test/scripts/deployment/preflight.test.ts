import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import {
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  NoSuchHostedZone,
  Route53Client,
} from '@aws-sdk/client-route-53';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterNotFound,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { buildModel, parseTopology } from '../../../lib/topology';
import {
  CELL_SERVICES,
  type CheckResult,
  formatResults,
  type PreflightClients,
  runPreflight,
} from '../../../scripts/deployment/preflight';
import { validTopology } from '../../support/topologies';
import { STACKS } from './support';

const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const apiGateway = mockClient(APIGatewayClient);
const route53 = mockClient(Route53Client);
const dynamodb = mockClient(DynamoDBClient);
const cloudFormation = mockClient(CloudFormationClient);

const ZONE_ID = 'Z0123456789ABCDEFGHIJ';
const AWS_NS = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'];
const EUSC_NS = ['ns-10.awsdns-eu.eu', 'ns-11.awsdns-eu.de'];

const model = buildModel(
  parseTopology({
    ...validTopology(),
    hostedZone: { id: ZONE_ID },
    zones: [validTopology().zones[0]!, { ...validTopology().zones[1]!, delegatedNameServers: EUSC_NS }],
  }),
);

function clients(dns: Record<string, string[]>): PreflightClients {
  return {
    sts: (region) => new STSClient({ region }),
    ssm: (region) => new SSMClient({ region }),
    apiGateway: (region) => new APIGatewayClient({ region }),
    route53: (region) => new Route53Client({ region }),
    dynamodb: (region) => new DynamoDBClient({ region }),
    cloudFormation: (region) => new CloudFormationClient({ region }),
    resolveNs: async (name) => {
      const found = dns[name];
      if (!found) throw Object.assign(new Error(`queryNs ENOTFOUND ${name}`), { name: 'ENOTFOUND' });
      return found;
    },
  };
}

/** An account that is ready: bootstrapped, services listed, zone delegated, no leftovers. */
function healthyAccount(account = '111111111111') {
  sts.on(GetCallerIdentityCommand).resolves({ Account: account, Arn: `arn:aws:iam::${account}:role/admin` });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '30' } });
  ssm
    .on(GetParametersByPathCommand)
    .resolves({ Parameters: [...CELL_SERVICES, 'backup'].map((s) => ({ Name: `/x/${s}`, Value: s })) });
  apiGateway.on(GetAccountCommand).resolves({});
  route53.on(GetHostedZoneCommand).resolves({
    HostedZone: { Id: ZONE_ID, Name: 'shop.example.com.', CallerReference: 'x' },
    DelegationSet: { NameServers: AWS_NS },
  });
  dynamodb
    .on(DescribeTableCommand)
    .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
}

const byCheck = (results: readonly CheckResult[], check: string) => results.find((r) => r.check === check);

describe('preflight', () => {
  beforeEach(() => {
    for (const mock of [sts, ssm, apiGateway, route53, dynamodb, cloudFormation]) mock.reset();
  });

  it('passes a ready aws account with one line per check and the calls it needs', async () => {
    healthyAccount();

    const results = await runPreflight({
      model,
      stacks: STACKS,
      partition: 'aws',
      clients: clients({ 'shop.example.com': [...AWS_NS].reverse(), 'eu.shop.example.com': EUSC_NS }),
    });

    expect(results.filter((r) => r.status !== 'PASS')).toEqual([]);
    expect(results.map((r) => r.check)).toEqual([
      'credentials',
      'bootstrap us-east-1',
      'bootstrap us-west-2',
      'api gateway logging role us-east-1',
      'services us-east-1',
      'api gateway logging role us-west-2',
      'services us-west-2',
      'hosted zone',
      'hosted zone delegation',
      'delegation eu.shop.example.com',
      'leftovers commerce-global-commerce',
    ]);
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([
      { Name: '/cdk-bootstrap/hnb659fds/version' },
      { Name: '/cdk-bootstrap/hnb659fds/version' },
    ]);
    expect(ssm.commandCalls(GetParametersByPathCommand)[0]!.args[0].input).toEqual({
      Path: '/aws/service/global-infrastructure/regions/us-east-1/services',
      NextToken: undefined,
    });
    expect(route53.commandCalls(GetHostedZoneCommand)[0]!.args[0].input).toEqual({ Id: ZONE_ID });
    expect(dynamodb.commandCalls(DescribeTableCommand)[0]!.args[0].input).toEqual({
      TableName: 'commerce-global-commerce',
    });
    expect(formatResults(results)).toMatch(/preflight passed: 11 pass, 0 warn, 0 fail\n$/);
  });

  it('stops at credentials of the wrong account', async () => {
    healthyAccount('999999999999');

    const results = await runPreflight({ model, stacks: STACKS, partition: 'aws', clients: clients({}) });

    expect(results).toEqual([
      expect.objectContaining({
        status: 'FAIL',
        check: 'credentials',
        detail: expect.stringContaining('accounts.aws is 111111111111'),
      }),
    ]);
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  it('fails an unbootstrapped region, a missing service, a wrong zone and an undelegated domain', async () => {
    healthyAccount();
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: '30' } })
      .rejects(new ParameterNotFound({ message: 'no', $metadata: {} }));
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/x/lambda', Value: 'lambda' }] });
    route53.on(GetHostedZoneCommand).rejects(new NoSuchHostedZone({ message: 'no', $metadata: {} }));

    const results = await runPreflight({ model, stacks: STACKS, partition: 'aws', clients: clients({}) });

    expect(byCheck(results, 'bootstrap us-west-2')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('npx cdk bootstrap aws://111111111111/us-west-2'),
    });
    expect(byCheck(results, 'services us-east-1')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('apigateway, dynamodb'),
    });
    expect(byCheck(results, 'hosted zone')).toMatchObject({
      status: 'FAIL',
      detail: `${ZONE_ID} does not exist in this account: fix hostedZone.id`,
    });
    expect(formatResults(results)).toContain('preflight FAILED');
  });

  it('fails a domain delegated elsewhere and a table left behind by a destroyed stack', async () => {
    healthyAccount();
    dynamodb.on(DescribeTableCommand).resolves({ Table: { TableName: 'commerce-global-commerce' } });
    cloudFormation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id commerce-cell-global-us-east-1 does not exist'), {
        name: 'ValidationError',
      }),
    );

    const results = await runPreflight({
      model,
      stacks: STACKS,
      partition: 'aws',
      clients: clients({ 'shop.example.com': ['ns1.registrar.example'] }),
    });

    expect(byCheck(results, 'hosted zone delegation')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('update the registrar'),
    });
    expect(byCheck(results, 'leftovers commerce-global-commerce')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('npx cdk import'),
    });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({
      StackName: 'commerce-cell-global-us-east-1',
    });
  });

  it('checks the sovereign partition: its own hosted zone must match the delegated name servers', async () => {
    healthyAccount('222222222222');
    route53.on(ListHostedZonesByNameCommand).resolves({
      HostedZones: [{ Id: '/hostedzone/ZEU', Name: 'eu.shop.example.com.', CallerReference: 'x' }],
    });
    route53.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: 'ZEU', Name: 'eu.shop.example.com.', CallerReference: 'x' },
      DelegationSet: { NameServers: ['ns-99.awsdns-eu.eu'] },
    });

    const results = await runPreflight({
      model,
      stacks: STACKS,
      partition: 'aws-eusc',
      clients: clients({}),
    });

    expect(results.map((r) => r.check)).toEqual([
      'credentials',
      'bootstrap eusc-de-east-1',
      'api gateway logging role eusc-de-east-1',
      'services eusc-de-east-1',
      'sovereign hosted zone eu.shop.example.com',
      'leftovers commerce-eu-commerce',
    ]);
    expect(byCheck(results, 'sovereign hosted zone eu.shop.example.com')).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('copy them again'),
    });
    expect(route53.commandCalls(ListHostedZonesByNameCommand)[0]!.args[0].input).toEqual({
      DNSName: 'eu.shop.example.com',
      MaxItems: 1,
    });
  });

  it('warns instead of failing when a region does not publish its service list', async () => {
    healthyAccount('222222222222');
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    route53.on(ListHostedZonesByNameCommand).resolves({ HostedZones: [] });

    const results = await runPreflight({
      model,
      stacks: STACKS,
      partition: 'aws-eusc',
      clients: clients({}),
    });

    expect(byCheck(results, 'services eusc-de-east-1')).toMatchObject({ status: 'WARN' });
    expect(byCheck(results, 'sovereign hosted zone eu.shop.example.com')).toMatchObject({
      status: 'PASS',
      detail: 'not created yet: the DNS stack of this partition creates it',
    });
  });
});
