import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A plain Node script (scripts/verify.sh runs it as is), so required, not imported.
const { summarize } = require('../../scripts/jest-summary.js') as {
  summarize: (files: string[], root: string) => { lines: string[]; ok: boolean };
};

/** A jest `--json` result, cut down to the fields the summary reads. */
function result(
  dir: string,
  name: string,
  files: object[],
  counts: { passed: number; failed: number; runtimeErrors?: number },
) {
  const path = join(dir, name);
  writeFileSync(
    path,
    JSON.stringify({
      numPassedTests: counts.passed,
      numFailedTests: counts.failed,
      numRuntimeErrorTestSuites: counts.runtimeErrors ?? 0,
      numTotalTests: counts.passed + counts.failed,
      testResults: files,
    }),
  );
  return path;
}

describe('scripts/jest-summary.js', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jest-summary-'));

  it('names each failed test with its message before the last line, which CI reads', () => {
    // Arrange
    const failing = result(
      dir,
      'drills.json',
      [
        {
          name: join(dir, 'test/a.test.ts'),
          status: 'failed',
          message: '',
          assertionResults: [
            { status: 'passed', fullName: 'a passes', failureMessages: [] },
            {
              status: 'failed',
              fullName: 'a drill fails',
              failureMessages: ['\u001b[31mexpect(received).toEqual(expected)\u001b[39m\n\n- Expected  - 1'],
            },
          ],
        },
      ],
      { passed: 1, failed: 1 },
    );
    const passing = result(dir, 'unit.json', [], { passed: 3, failed: 0 });

    // Act
    const { lines, ok } = summarize([passing, failing], dir);

    // Assert
    expect(ok).toBe(false);
    expect(lines[0]).toBe('FAILED test/a.test.ts › a drill fails');
    expect(lines[1]).toBe('    expect(received).toEqual(expected)');
    expect(lines.at(-1)).toBe('4 passed, 1 failed');
  });

  it('names a file that failed without a failed test (a suite that could not run)', () => {
    const broken = result(
      dir,
      'broken.json',
      [
        {
          name: join(dir, 'test/b.test.ts'),
          status: 'failed',
          message: 'Cannot find module',
          assertionResults: [],
        },
      ],
      { passed: 0, failed: 0, runtimeErrors: 1 },
    );
    const { lines, ok } = summarize([broken, result(dir, 'one.json', [], { passed: 1, failed: 0 })], dir);
    expect(ok).toBe(false);
    expect(lines).toContain('FAILED test/b.test.ts (the file itself)');
    expect(lines).toContain('    Cannot find module');
    expect(lines.at(-1)).toBe('1 passed, 1 failed');
  });

  it('counts a missing result file as a failure, so a jest run that crashed cannot pass', () => {
    const { lines, ok } = summarize([join(dir, 'never-written.json')], dir);
    expect(ok).toBe(false);
    expect(lines.at(-1)).toBe('0 passed, 1 failed');
  });
});
