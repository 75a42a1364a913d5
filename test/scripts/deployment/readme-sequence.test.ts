import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { REPO_ROOT } from '../../../lib/topology';
import { CELL_SERVICES, type PreflightClients } from '../../../scripts/deployment/preflight';

/**
 * The README's "Synthesize and deploy" section, run command by command, offline: every `npx cdk synth`
 * for real (into a temporary directory, on a copy of the topology the section edits), every npm script
 * in-process with its real arguments plus `--assembly <that directory>` (and `--dry-run` for deploys),
 * preflight against mocked AWS SDK v3 answers. `npx cdk bootstrap` lines are compared with what
 * `bootstrap:print` prints; they need an account and are not run.
 */
jest.setTimeout(45 * 60_000);

const README = readFileSync(resolve(REPO_ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};

function between(text: string, start: string, endPattern: RegExp): string {
  const from = text.indexOf(start);
  if (from < 0) throw new Error(`README has no "${start}"`);
  const rest = text.slice(from + start.length);
  const end = rest.search(endPattern);
  return end < 0 ? rest : rest.slice(0, end);
}

const SECTION = between(README, '## Synthesize and deploy to AWS', /\n## /);
const SEQUENCE = between(SECTION, '### First deployment in a fresh account pair', /\n### /);
const blocks = (text: string) =>
  [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, body: m[2]! }));
const commandsOf = (body: string) =>
  body
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line && !line.startsWith('#'));

// --- mocked AWS for preflight: a ready account pair ---------------------------------------------
const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const apiGateway = mockClient(APIGatewayClient);
const route53 = mockClient(Route53Client);
const dynamodb = mockClient(DynamoDBClient);
mockClient(CloudFormationClient);

function readyAccounts(topologyFile: string, partition: string): PreflightClients {
  const topology = parseYaml(readFileSync(topologyFile, 'utf8'));
  const account = topology.accounts[partition] as string;
  const eu = (topology.zones as { name: string; delegatedNameServers?: string[] }[]).find(
    (z) => z.name === 'eu',
  )!;
  const zoneServers = ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'];
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: account, Arn: `arn:${partition}:iam::${account}:role/admin` });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '30' } });
  ssm
    .on(GetParametersByPathCommand)
    .resolves({ Parameters: [...CELL_SERVICES, 'backup'].map((s) => ({ Name: `/s/${s}`, Value: s })) });
  apiGateway.on(GetAccountCommand).resolves({});
  route53.on(GetHostedZoneCommand).resolves({
    HostedZone: { Id: 'Z', Name: `${topology.domain}.`, CallerReference: 'c' },
    DelegationSet: { NameServers: partition === 'aws' ? zoneServers : (eu.delegatedNameServers ?? []) },
  });
  route53.on(ListHostedZonesByNameCommand).resolves({
    HostedZones: eu.delegatedNameServers
      ? [{ Id: 'ZEU', Name: `eu.${topology.domain}.`, CallerReference: 'c' }]
      : [],
  });
  dynamodb
    .on(DescribeTableCommand)
    .rejects(new ResourceNotFoundException({ message: 'none', $metadata: {} }));
  const dns: Record<string, string[]> = {
    [topology.domain]: zoneServers,
    ...(eu.delegatedNameServers ? { [`eu.${topology.domain}`]: eu.delegatedNameServers } : {}),
  };
  return {
    sts: (region) => new STSClient({ region }),
    ssm: (region) => new SSMClient({ region }),
    apiGateway: (region) => new APIGatewayClient({ region }),
    route53: (region) => new Route53Client({ region }),
    dynamodb: (region) => new DynamoDBClient({ region }),
    cloudFormation: (region) => new CloudFormationClient({ region }),
    resolveNs: async (name) => {
      if (!dns[name]) throw new Error(`ENOTFOUND ${name}`);
      return dns[name]!;
    },
  };
}

// --- running the section -----------------------------------------------------------------------
interface Run {
  readonly command: string;
  readonly code: number;
  readonly output: string;
}

const work = mkdtempSync(join(tmpdir(), 'readme-'));
const topologyFile = join(work, 'topology.yaml');
copyFileSync(resolve(REPO_ROOT, 'topology.yaml'), topologyFile);
const assemblies = new Map<string, string>();
let assembly = '';

function synth(args: readonly string[]): Run {
  const explicit = args.find((a) => a.startsWith('topology='));
  const topology = explicit ? resolve(REPO_ROOT, explicit.slice('topology='.length)) : topologyFile;
  const key = `${args.join(' ')} ${readFileSync(topology, 'utf8')}`;
  let out = assemblies.get(key);
  let result = { code: 0, output: '(same topology: assembly reused)' };
  if (!out) {
    out = mkdtempSync(join(work, 'cdk.out-'));
    const argv = explicit ? [...args, '-o', out] : [...args, '-c', `topology=${topologyFile}`, '-o', out];
    const child = spawnSync('npx', ['cdk', ...argv], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    result = { code: child.status ?? 1, output: `${child.stdout}\n${child.stderr}` };
    assemblies.set(key, out);
  }
  if (!explicit) assembly = out;
  return { command: `npx cdk ${args.join(' ')}`, ...result };
}

async function npmScript(name: string, args: readonly string[]): Promise<Run> {
  const script = PACKAGE.scripts[name];
  const match = script ? /^tsx (scripts\/[\w/-]+)\.ts$/.exec(script) : null;
  if (!match) throw new Error(`npm script ${name} is not a tsx script: ${script}`);
  // The script's own module, as `npm run <name>` runs it (jest's CommonJS: require, not import()).
  const module = require(resolve(REPO_ROOT, match[1]!)) as {
    main: (argv: string[], clients?: PreflightClients) => number | Promise<number>;
  };
  const extra = ['--assembly', assembly];
  if (name === 'deploy') extra.push('--dry-run');
  if (name === 'preflight') extra.push('--topology', topologyFile);
  const chunks: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    const partition = args[args.indexOf('--partition') + 1]!;
    const code = await module.main(
      [...args, ...extra],
      name === 'preflight' ? readyAccounts(topologyFile, partition) : undefined,
    );
    return { command: `npm run ${name} -- ${args.join(' ')}`, code, output: chunks.join('') };
  } finally {
    write.mockRestore();
  }
}

function applyYaml(body: string): void {
  const edit = parseYaml(body) as Record<string, unknown>;
  const topology = parseYaml(readFileSync(topologyFile, 'utf8')) as Record<string, unknown>;
  for (const [key, value] of Object.entries(edit)) {
    if (key !== 'zones') {
      topology[key] = value;
      continue;
    }
    for (const zoneEdit of value as { name: string }[]) {
      const zone = (topology.zones as { name: string }[]).find((z) => z.name === zoneEdit.name);
      if (!zone) throw new Error(`README edits zone ${zoneEdit.name}, which topology.yaml does not have`);
      Object.assign(zone, zoneEdit);
    }
  }
  writeFileSync(topologyFile, stringifyYaml(topology));
}

async function run(command: string): Promise<Run> {
  const [tool, ...rest] = command.split(/\s+/);
  if (tool === 'npx' && rest[0] === 'cdk' && rest[1] === 'synth') return synth(rest.slice(1));
  if (tool === 'npm' && rest[0] === 'run') return npmScript(rest[1]!, rest.slice(rest.indexOf('--') + 1));
  throw new Error(`the README sequence has a command this test cannot run offline: ${command}`);
}

describe('README: Synthesize and deploy', () => {
  const runs: Run[] = [];
  let printedBootstrap = '';
  let shownBootstrap = '';

  beforeAll(async () => {
    for (const command of commandsOf(blocks(SECTION)[0]!.body)) runs.push(await run(command));
    for (const block of blocks(SEQUENCE)) {
      if (block.lang === 'bash') {
        for (const command of commandsOf(block.body)) {
          const result = await run(command);
          runs.push(result);
          if (command.startsWith('npm run bootstrap:print')) printedBootstrap += result.output;
        }
      } else if (block.lang === 'yaml') {
        applyYaml(block.body);
      } else if (block.lang === 'text') {
        shownBootstrap += block.body;
      }
    }
  });

  it('runs every offline command of the fresh-account sequence, each exiting 0', () => {
    const commands = runs.map((r) => r.command);
    expect(commands.filter((c) => c.startsWith('npx cdk synth'))).toHaveLength(4);
    expect(commands.filter((c) => c.includes('preflight'))).toHaveLength(4);
    expect(commands.filter((c) => c.includes('npm run deploy'))).toHaveLength(4);
    for (const r of runs)
      expect({ command: r.command, code: r.code, output: r.code ? r.output : '' }).toEqual({
        command: r.command,
        code: 0,
        output: '',
      });
  });

  it('shows exactly the bootstrap commands the synthesized stacks need', () => {
    expect(printedBootstrap).toBe(shownBootstrap);
  });

  it('deploys the hosted zone first, each partition alone, and the imported zone without a create', () => {
    const deploys = runs.filter((r) => r.command.startsWith('npm run deploy'));
    const lastLine = (r: Run) => r.output.trim().split('\n').at(-1)!;
    expect(lastLine(deploys[0]!)).toMatch(
      /--exclusively --profile shop-aws commerce-failover commerce-routing$/,
    );
    expect(lastLine(deploys[1]!)).toMatch(/--profile shop-eusc commerce-dns-eu$/);
    expect(lastLine(deploys[2]!)).toMatch(
      /--profile shop-aws commerce-baseline-us-east-1 .*commerce-routing/,
    );
    expect(lastLine(deploys[2]!)).not.toContain('eusc');
    expect(lastLine(deploys[3]!).split(' ').slice(8)).toEqual([
      'commerce-baseline-eusc-de-east-1',
      'commerce-dns-eu',
      'commerce-cell-eu-eusc-de-east-1',
    ]);
    // After the edit, the routing template imports the zone and the cells validate in it.
    const routing = JSON.parse(readFileSync(join(assembly, 'commerce-routing.template.json'), 'utf8'));
    expect(JSON.stringify(routing)).not.toContain('AWS::Route53::HostedZone');
    expect(JSON.stringify(routing)).toContain('Z0123456789ABCDEFGHIJ');
    const preflights = runs.filter((r) => r.command.includes('preflight'));
    expect(preflights[2]!.output).toContain('PASS  hosted zone');
    expect(preflights[2]!.output).toContain('PASS  delegation eu.shop.example.com');
  });
});
