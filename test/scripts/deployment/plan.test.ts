import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AssemblyStack, environmentsOf, readAssembly } from '../../../scripts/deployment/assembly';
import { bootstrapCommands, deployCommand, PlanError, partitionPlan } from '../../../scripts/deployment/plan';
import { STACKS, stack } from './support';

const ids = (plan: readonly AssemblyStack[]) => plan.map((s) => s.id);
const before = (plan: readonly AssemblyStack[], a: string, b: string) =>
  ids(plan).indexOf(a) < ids(plan).indexOf(b);

describe('partitionPlan', () => {
  it('selects exactly one partition, every dependency before its dependant', () => {
    const plan = partitionPlan(STACKS, 'aws');

    expect(new Set(plan.map((s) => s.partition))).toEqual(new Set(['aws']));
    expect(plan).toHaveLength(STACKS.filter((s) => s.partition === 'aws').length);
    for (const s of plan) for (const dep of s.dependsOn) expect(before(plan, dep, s.id)).toBe(true);
    expect(ids(partitionPlan(STACKS, 'aws-eusc'))).toEqual([
      'commerce-baseline-eusc-de-east-1',
      'commerce-dns-eu',
      'commerce-cell-eu-eusc-de-east-1',
    ]);
  });

  it('deploys only the named stacks and what they depend on', () => {
    expect(ids(partitionPlan(STACKS, 'aws', ['commerce-routing']))).toEqual([
      'commerce-failover',
      'commerce-routing',
    ]);
  });

  it('refuses a stack of the other partition, an unknown name, and a dependency across partitions', () => {
    expect(() => partitionPlan(STACKS, 'aws', ['commerce-dns-eu'])).toThrow(
      /commerce-dns-eu is in partition aws-eusc, not aws/,
    );
    expect(() => partitionPlan(STACKS, 'aws', ['commerce-nope'])).toThrow(PlanError);
    const crossing = [...STACKS, stack('commerce-bad', 'us-east-1', ['commerce-dns-eu'])];
    expect(() => partitionPlan(crossing, 'aws')).toThrow(/must not depend across partitions/);
    expect(() => partitionPlan(STACKS, 'aws-us-gov')).toThrow(
      /no stack of this assembly is in partition aws-us-gov/,
    );
  });
});

describe('commands', () => {
  it('deploys the planned stacks exclusively from the synthesized assembly with the profile', () => {
    const plan = partitionPlan(STACKS, 'aws-eusc');
    expect(deployCommand(plan, { assembly: 'cdk.out', profile: 'eusc-admin' }).join(' ')).toBe(
      'npx cdk deploy --app cdk.out --exclusively --profile eusc-admin commerce-baseline-eusc-de-east-1 commerce-dns-eu commerce-cell-eu-eusc-de-east-1',
    );
  });

  it('bootstraps every account/region once, per partition', () => {
    expect(bootstrapCommands(STACKS).map((c) => c.join(' '))).toEqual([
      'npx cdk bootstrap aws://111111111111/us-east-1',
      'npx cdk bootstrap aws://111111111111/us-west-2',
      'npx cdk bootstrap aws://222222222222/eusc-de-east-1',
    ]);
    expect(
      bootstrapCommands(STACKS, { partition: 'aws-eusc', profile: 'p' }).map((c) => c.join(' ')),
    ).toEqual(['npx cdk bootstrap aws://222222222222/eusc-de-east-1 --profile p']);
    expect(environmentsOf(STACKS).find((e) => e.region === 'us-west-2')!.stacks).toEqual([
      'commerce-baseline-us-west-2',
      'commerce-cell-global-us-west-2',
      'commerce-cell-global-us-west-2-key',
      'commerce-failover',
    ]);
  });
});

describe('readAssembly', () => {
  it('reads environments, stack dependencies (not asset dependencies) and bootstrap needs from manifest.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assembly-'));
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify({
        version: '48.0.0',
        artifacts: {
          'a.assets': { type: 'cdk:asset-manifest', properties: { file: 'a.assets.json' } },
          a: {
            type: 'aws:cloudformation:stack',
            environment: 'aws://111111111111/us-east-1',
            dependencies: ['a.assets', 'b'],
            properties: {
              templateFile: 'a.template.json',
              requiresBootstrapStackVersion: 6,
              bootstrapStackVersionSsmParameter: '/cdk-bootstrap/hnb659fds/version',
            },
          },
          b: {
            type: 'aws:cloudformation:stack',
            environment: 'aws://222222222222/eusc-de-east-1',
            properties: { templateFile: 'b.template.json', stackName: 'bee' },
          },
        },
      }),
    );

    const stacks = readAssembly(dir);

    expect(stacks).toEqual([
      expect.objectContaining({
        id: 'a',
        partition: 'aws',
        dependsOn: ['b'],
        requiresBootstrapStackVersion: 6,
      }),
      expect.objectContaining({ id: 'b', stackName: 'bee', partition: 'aws-eusc', account: '222222222222' }),
    ]);
  });

  it('tells the operator to synthesize first when there is no assembly', () => {
    expect(() => readAssembly(mkdtempSync(join(tmpdir(), 'empty-')))).toThrow(/run `npx cdk synth --quiet`/);
  });
});
