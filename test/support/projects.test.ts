import { join } from 'node:path';

// jest.config.js reads this helper too, so it stays CommonJS.
const { partitionTests } = require('./projects') as {
  partitionTests: () => { unit: string[]; integration: string[]; drills: string[] };
};

describe('jest projects (test/support/projects.js)', () => {
  const { unit, integration, drills } = partitionTests();
  const at = (path: string) => join(__dirname, '..', path);

  it('puts every test file in exactly one project', () => {
    expect(new Set([...unit, ...integration, ...drills]).size).toBe(
      unit.length + integration.length + drills.length,
    );
    expect(unit).toContain(at('chaos/metrics.test.ts'));
  });

  it('sends tests that reach DynamoDB Local, start processes or synthesize as cdk synth does to integration', () => {
    expect(integration).toEqual(
      expect.arrayContaining([
        at('lambdas/api/failover.test.ts'), // DynamoDB Local
        at('local/main.test.ts'), // spawns the CLI
        at('lib/app/build-app.test.ts'), // validator and esbuild bundling on
      ]),
    );
    // A stack test on a quick test app stays a unit test, although the app code it reaches can bundle.
    expect(unit).toContain(at('lib/stacks/regional-cell-stack.test.ts'));
  });

  it('sends integration tests that run a drill to drills (run alone: they judge wall-clock bounds), and only those', () => {
    expect(drills).toEqual(
      expect.arrayContaining([at('chaos/drills/region-loss.test.ts'), at('chaos/local/plan.test.ts')]),
    );
    expect(integration).toContain(at('local/writer-fencing.test.ts'));
    expect(drills).not.toContain(at('chaos/metrics.test.ts'));
  });
});
