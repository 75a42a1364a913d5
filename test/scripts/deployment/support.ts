import type { AssemblyStack } from '../../../scripts/deployment/assembly';

/** The default topology's stacks as the manifest describes them (dependencies included). */
export function stack(
  id: string,
  region: string,
  dependsOn: string[] = [],
  account = '111111111111',
): AssemblyStack {
  return {
    id,
    stackName: id,
    account,
    region,
    partition: region.startsWith('eusc-') ? 'aws-eusc' : 'aws',
    dependsOn,
    requiresBootstrapStackVersion: 6,
    bootstrapStackVersionSsmParameter: '/cdk-bootstrap/hnb659fds/version',
  };
}

export const STACKS: AssemblyStack[] = [
  stack('commerce-baseline-us-east-1', 'us-east-1'),
  stack('commerce-baseline-us-west-2', 'us-west-2'),
  stack('commerce-baseline-eusc-de-east-1', 'eusc-de-east-1', [], '222222222222'),
  stack('commerce-failover', 'us-west-2'),
  stack('commerce-cell-global-us-west-2-key', 'us-west-2'),
  stack('commerce-cell-global-us-east-1', 'us-east-1', [
    'commerce-cell-global-us-west-2-key',
    'commerce-baseline-us-east-1',
    'commerce-failover',
  ]),
  stack('commerce-cell-global-us-west-2', 'us-west-2', [
    'commerce-cell-global-us-east-1',
    'commerce-cell-global-us-west-2-key',
    'commerce-baseline-us-west-2',
    'commerce-failover',
  ]),
  stack('commerce-dns-eu', 'eusc-de-east-1', [], '222222222222'),
  stack(
    'commerce-cell-eu-eusc-de-east-1',
    'eusc-de-east-1',
    ['commerce-dns-eu', 'commerce-baseline-eusc-de-east-1'],
    '222222222222',
  ),
  stack('commerce-routing', 'us-east-1', ['commerce-failover']),
  stack('commerce-edge', 'us-east-1', ['commerce-cell-global-us-east-1']),
];
