import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { COMMERCE_APP_CONTEXT } from '../../lib/app/app-context';
import { testAppProps } from '../lib/app/synth-fixture';
import { defineCellTest } from './integ.cell';
import { defineRoutingTest } from './integ.routing';

/**
 * The integration tests synthesize in CI (here, offline); integ-runner deploys them against an account
 * (README: Integration tests). The nag packs and residency rules run as for the real app.
 */
/**
 * A quick app: neither CloudFormation's validator nor the bundling (test/lib/app/build-app.test.ts runs both
 * on the whole app). Passed in, not mocked: the test transform does not hoist jest.mock above imports.
 */
function quickIntegApp(): App {
  const quick = testAppProps();
  return new App({
    ...quick,
    context: { ...COMMERCE_APP_CONTEXT, ...quick.context },
    outdir: mkdtempSync(join(tmpdir(), 'integ-')),
  });
}

describe('integration tests', () => {
  it.each([
    ['cell', defineCellTest, ['integ-cell-global-us-east-1']],
    ['routing', defineRoutingTest, ['integ-cell-global-us-east-1', 'integ-routing']],
  ] as const)('synthesizes the %s test with its test cases and assertions', (_name, define, stacks) => {
    const { app } = define(quickIntegApp());
    const assembly = app.synth();

    const manifest = JSON.parse(readFileSync(join(assembly.directory, 'integ.json'), 'utf8')) as {
      testCases: Record<string, { stacks: string[]; assertionStack: string }>;
    };
    const [testCase] = Object.values(manifest.testCases);
    expect(testCase!.stacks).toEqual(stacks);
    expect(testCase!.assertionStack).toBe('integ-assertions');
    const assertions = JSON.stringify(assembly.getStackByName('integ-assertions').template);
    expect(assertions).toContain('/v1/health');
  });
});
