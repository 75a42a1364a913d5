import { type APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  NoSuchHostedZone,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  ParameterNotFound,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { commerceTableName } from '../../lambdas/adapters/table-definitions';
import {
  CONTROL_REGION,
  PARTITION_CAPABILITIES,
  type Partition,
  type TopologyModel,
  type Zone,
} from '../../lib/topology';
import { type AssemblyStack, environmentsOf } from './assembly';

/**
 * Everything the synthesized templates assume of an account, checked before a
 * deploy with the operator's credentials for one partition. Every check is a
 * read; none changes the account.
 */

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL';

export interface CheckResult {
  readonly status: CheckStatus;
  readonly check: string;
  readonly detail: string;
}

/** Clients per region (tests give aws-sdk-client-mock'ed ones) and a public DNS lookup of NS records. */
export interface PreflightClients {
  readonly sts: (region: string) => STSClient;
  readonly ssm: (region: string) => SSMClient;
  readonly apiGateway: (region: string) => APIGatewayClient;
  readonly route53: (region: string) => Route53Client;
  readonly dynamodb: (region: string) => DynamoDBClient;
  readonly cloudFormation: (region: string) => CloudFormationClient;
  /** Name servers the public DNS answers for a name (lowercase, no trailing dot); throws when none. */
  readonly resolveNs: (name: string) => Promise<string[]>;
}

/**
 * AWS services each cell region needs, by the ids of the public SSM namespace
 * /aws/service/global-infrastructure/regions/<region>/services.
 */
export const CELL_SERVICES = [
  'lambda',
  'apigateway',
  'dynamodb',
  'sqs',
  'sns',
  'events',
  'kms',
  'logs',
  'cloudwatch',
  'acm',
  'ssm',
  'cloudformation',
] as const;

export function requiredServices(model: TopologyModel, partition: Partition): readonly string[] {
  return [
    ...CELL_SERVICES,
    ...(model.config.backup.enabled && PARTITION_CAPABILITIES[partition].backup ? ['backup'] : []),
  ];
}

const normalize = (names: readonly string[]) => names.map((n) => n.toLowerCase().replace(/\.$/, '')).sort();
const sameSet = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));

const errorName = (error: unknown) => (error instanceof Error ? error.name : String(error));
const pass = (check: string, detail: string): CheckResult => ({ status: 'PASS', check, detail });
const warn = (check: string, detail: string): CheckResult => ({ status: 'WARN', check, detail });
const fail = (check: string, detail: string): CheckResult => ({ status: 'FAIL', check, detail });

async function checkAccount(
  model: TopologyModel,
  partition: Partition,
  region: string,
  clients: PreflightClients,
) {
  const expected = model.config.accounts[partition];
  try {
    const identity = await clients.sts(region).send(new GetCallerIdentityCommand({}));
    return identity.Account === expected
      ? pass('credentials', `account ${identity.Account} (${identity.Arn}), as accounts.${partition} says`)
      : fail(
          'credentials',
          `these credentials are for account ${identity.Account}, but accounts.${partition} is ${expected}: use the profile of account ${expected}`,
        );
  } catch (error) {
    return fail(
      'credentials',
      `no usable credentials for ${partition} (${errorName(error)}): pass --profile`,
    );
  }
}

async function checkBootstrap(
  env: ReturnType<typeof environmentsOf>[number],
  clients: PreflightClients,
): Promise<CheckResult> {
  const name = `bootstrap ${env.region}`;
  const fix = `run: npx cdk bootstrap aws://${env.account}/${env.region} (npm run bootstrap:print lists every one)`;
  try {
    const { Parameter } = await clients
      .ssm(env.region)
      .send(new GetParameterCommand({ Name: env.bootstrapVersionParameter }));
    const version = Number(Parameter?.Value);
    return version >= env.requiredBootstrapVersion
      ? pass(name, `CDK bootstrap version ${version} (stacks need ${env.requiredBootstrapVersion})`)
      : fail(
          name,
          `CDK bootstrap version ${version} is older than the ${env.requiredBootstrapVersion} the stacks need; ${fix}`,
        );
  } catch (error) {
    if (error instanceof ParameterNotFound) return fail(name, `not bootstrapped; ${fix}`);
    return fail(name, `cannot read ${env.bootstrapVersionParameter} (${errorName(error)}); ${fix}`);
  }
}

async function checkApiGatewayRole(model: TopologyModel, region: string, clients: PreflightClients) {
  const name = `api gateway logging role ${region}`;
  try {
    const account = await clients.apiGateway(region).send(new GetAccountCommand({}));
    return account.cloudwatchRoleArn
      ? pass(name, `set to ${account.cloudwatchRoleArn}; ${model.appName}-baseline-${region} sets its own`)
      : pass(
          name,
          `not set yet: ${model.appName}-baseline-${region} sets it before the cell's stage deploys`,
        );
  } catch (error) {
    return fail(
      name,
      `cannot read API Gateway's account settings (${errorName(error)}); is API Gateway available in ${region}?`,
    );
  }
}

async function checkServices(
  model: TopologyModel,
  partition: Partition,
  region: string,
  clients: PreflightClients,
) {
  const name = `services ${region}`;
  const path = `/aws/service/global-infrastructure/regions/${region}/services`;
  const listed = new Set<string>();
  try {
    let NextToken: string | undefined;
    do {
      const page = await clients.ssm(region).send(new GetParametersByPathCommand({ Path: path, NextToken }));
      for (const p of page.Parameters ?? []) if (p.Value) listed.add(p.Value);
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    return warn(
      name,
      `cannot list the region's services (${errorName(error)}); check ${requiredServices(model, partition).join(', ')} by hand`,
    );
  }
  if (listed.size === 0) {
    return warn(
      name,
      `${path} lists nothing here; check ${requiredServices(model, partition).join(', ')} by hand`,
    );
  }
  const missing = requiredServices(model, partition).filter((s) => !listed.has(s));
  return missing.length === 0
    ? pass(name, `all of ${requiredServices(model, partition).length} needed services are listed`)
    : fail(
        name,
        `not available in ${region}: ${missing.join(', ')}; choose another region or turn the feature off in the topology`,
      );
}

async function checkHostedZone(model: TopologyModel, clients: PreflightClients): Promise<CheckResult[]> {
  const config = model.config.hostedZone;
  if (!('id' in config)) {
    return [
      pass(
        'hosted zone',
        `hostedZone.create: the routing stack creates ${model.domain}; then delegate it and set hostedZone.id (README: Synthesize and deploy)`,
      ),
    ];
  }
  let nameServers: string[];
  try {
    const zone = await clients.route53(CONTROL_REGION).send(new GetHostedZoneCommand({ Id: config.id }));
    const zoneName = zone.HostedZone?.Name?.replace(/\.$/, '');
    if (zoneName !== model.domain) {
      return [fail('hosted zone', `${config.id} is ${zoneName}, not ${model.domain}: fix hostedZone.id`)];
    }
    nameServers = zone.DelegationSet?.NameServers ?? [];
  } catch (error) {
    return [
      fail(
        'hosted zone',
        error instanceof NoSuchHostedZone
          ? `${config.id} does not exist in this account: fix hostedZone.id`
          : `cannot read ${config.id} (${errorName(error)})`,
      ),
    ];
  }
  const results = [pass('hosted zone', `${config.id} is ${model.domain}`)];
  try {
    const published = await clients.resolveNs(model.domain);
    results.push(
      sameSet(published, nameServers)
        ? pass('hosted zone delegation', `${model.domain} resolves to the zone's name servers`)
        : fail(
            'hosted zone delegation',
            `${model.domain} is delegated to ${normalize(published).join(', ')}, not to the zone's ${normalize(nameServers).join(', ')}: update the registrar`,
          ),
    );
  } catch (error) {
    results.push(
      fail(
        'hosted zone delegation',
        `${model.domain} has no NS records (${errorName(error)}): point the registrar at ${nameServers.join(', ')}`,
      ),
    );
  }
  return results;
}

async function checkSovereignFromAws(zone: Zone, clients: PreflightClients): Promise<CheckResult> {
  const name = `delegation ${zone.subdomain}`;
  if (!zone.delegatedNameServers) {
    return warn(
      name,
      `zones[${zone.name}].delegatedNameServers is not set: deploy the ${zone.partition} partition's DNS stack, copy its NameServers output, synth again`,
    );
  }
  try {
    const published = await clients.resolveNs(zone.subdomain);
    return sameSet(published, zone.delegatedNameServers)
      ? pass(name, `delegated to the sovereign zone's name servers`)
      : warn(
          name,
          `resolves to ${normalize(published).join(', ')}; the routing stack publishes ${normalize(zone.delegatedNameServers).join(', ')} when it deploys`,
        );
  } catch {
    return warn(name, 'not resolvable yet: the routing stack publishes the delegation when it deploys');
  }
}

async function checkSovereignZone(zone: Zone, clients: PreflightClients): Promise<CheckResult> {
  const name = `sovereign hosted zone ${zone.subdomain}`;
  try {
    const list = await clients
      .route53(zone.primary.region)
      .send(new ListHostedZonesByNameCommand({ DNSName: zone.subdomain, MaxItems: 1 }));
    const found = (list.HostedZones ?? []).find((z) => z.Name?.replace(/\.$/, '') === zone.subdomain);
    if (!found?.Id) return pass(name, 'not created yet: the DNS stack of this partition creates it');
    const detail = await clients
      .route53(zone.primary.region)
      .send(new GetHostedZoneCommand({ Id: found.Id }));
    const servers = detail.DelegationSet?.NameServers ?? [];
    if (!zone.delegatedNameServers) {
      return warn(
        name,
        `exists; copy its name servers into zones[${zone.name}].delegatedNameServers: ${servers.join(', ')}`,
      );
    }
    return sameSet(servers, zone.delegatedNameServers)
      ? pass(name, 'exists, and the topology delegates to its name servers')
      : fail(
          name,
          `its name servers are ${normalize(servers).join(', ')}, the topology says ${normalize(zone.delegatedNameServers).join(', ')}: copy them again`,
        );
  } catch (error) {
    return fail(name, `cannot list hosted zones (${errorName(error)})`);
  }
}

/**
 * A table retained by a destroyed stack (deletion protection, RETAIN) keeps its fixed name: creating the
 * stack again fails on it. Say so before the deploy, with what to do.
 */
async function checkLeftoverTable(
  model: TopologyModel,
  zone: Zone,
  clients: PreflightClients,
): Promise<CheckResult> {
  const table = commerceTableName(model.appName, zone.name);
  const region = zone.primary.region;
  const name = `leftovers ${table}`;
  try {
    await clients.dynamodb(region).send(new DescribeTableCommand({ TableName: table }));
  } catch (error) {
    if (error instanceof ResourceNotFoundException)
      return pass(name, 'no table of that name yet: the primary cell creates it');
    return fail(name, `cannot describe ${table} in ${region} (${errorName(error)})`);
  }
  try {
    await clients
      .cloudFormation(region)
      .send(new DescribeStacksCommand({ StackName: zone.primary.stackName }));
    return pass(name, `belongs to the deployed stack ${zone.primary.stackName}`);
  } catch (error) {
    if (errorName(error) === 'ValidationError') {
      return fail(
        name,
        `${table} exists in ${region} but stack ${zone.primary.stackName} does not (retained after a destroy): restore it into the stack with \`npx cdk import\`, or back it up and delete it (README: Redeploy after destroy)`,
      );
    }
    return fail(name, `cannot describe stack ${zone.primary.stackName} (${errorName(error)})`);
  }
}

export async function runPreflight(options: {
  readonly model: TopologyModel;
  readonly stacks: readonly AssemblyStack[];
  readonly partition: Partition;
  readonly clients: PreflightClients;
}): Promise<CheckResult[]> {
  const { model, stacks, partition, clients } = options;
  const environments = environmentsOf(stacks).filter((env) => env.partition === partition);
  if (environments.length === 0) {
    return [fail('assembly', `no stack of the assembly deploys to partition ${partition}`)];
  }
  const zones = model.zones.filter((z) => z.partition === partition);
  const cellRegions = [...new Set(zones.flatMap((z) => z.cells.map((c) => c.region)))].sort();
  const results: CheckResult[] = [await checkAccount(model, partition, environments[0]!.region, clients)];
  if (results[0]!.status === 'FAIL') return results;
  for (const env of environments) results.push(await checkBootstrap(env, clients));
  for (const region of cellRegions) {
    results.push(await checkApiGatewayRole(model, region, clients));
    results.push(await checkServices(model, partition, region, clients));
  }
  if (partition === 'aws') {
    results.push(...(await checkHostedZone(model, clients)));
    for (const zone of model.zones.filter((z) => z.sovereign))
      results.push(await checkSovereignFromAws(zone, clients));
  }
  for (const zone of zones.filter((z) => z.sovereign)) results.push(await checkSovereignZone(zone, clients));
  for (const zone of zones) results.push(await checkLeftoverTable(model, zone, clients));
  return results;
}

export function formatResults(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length));
  const lines = results.map((r) => `${r.status.padEnd(4)}  ${r.check.padEnd(width)}  ${r.detail}`);
  const failed = results.filter((r) => r.status === 'FAIL').length;
  const warned = results.filter((r) => r.status === 'WARN').length;
  return `${lines.join('\n')}\n${failed === 0 ? 'preflight passed' : 'preflight FAILED'}: ${results.length - failed - warned} pass, ${warned} warn, ${failed} fail\n`;
}
