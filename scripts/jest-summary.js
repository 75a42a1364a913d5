// Sums the jest projects' JSON results into the one line CI reads ("N passed, N failed"), after naming each
// failed test with the first lines of its message: CI keeps only the end of a long log, so a failure named
// only in the middle (a drill's report, a slow file) would otherwise be invisible where it is read.
const { existsSync, readFileSync } = require('node:fs');
const { relative } = require('node:path');

/** Lines of a failure message kept in the summary (a drill test's outline, then the assertion). */
const MESSAGE_LINES = 20;
// biome-ignore lint/suspicious/noControlCharactersInRegex: jest colours its messages with ANSI escapes.
const ANSI = /\u001b\[[0-9;]*m/g;

function firstLines(message) {
  return (
    message
      .replace(ANSI, '')
      .split('\n')
      // Blank lines and stack frames say nothing a reader of CI's last lines can use.
      .filter((line) => line.trim() !== '' && !/^\s*at /.test(line))
      .slice(0, MESSAGE_LINES)
      .map((line) => `    ${line}`)
  );
}

/** The failures of one jest JSON result: each failed test, and each file that failed without one. */
function failuresOf(result, root) {
  return result.testResults.flatMap((file) => {
    const path = relative(root, file.name);
    const failedTests = file.assertionResults.filter((a) => a.status === 'failed');
    if (failedTests.length === 0 && file.status === 'failed')
      return [[`FAILED ${path} (the file itself)`, ...firstLines(file.message || 'no message')]];
    return failedTests.map((a) => [
      `FAILED ${path} › ${a.fullName}`,
      ...firstLines(a.failureMessages.join('\n') || 'no message'),
    ]);
  });
}

function summarize(files, root) {
  const missing = files.filter((f) => !existsSync(f));
  let passed = 0;
  let failed = missing.length;
  let total = 0;
  const lines = [];
  for (const f of files.filter((f) => existsSync(f))) {
    const result = JSON.parse(readFileSync(f, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests + result.numRuntimeErrorTestSuites;
    total += result.numTotalTests;
    for (const failure of failuresOf(result, root)) lines.push(...failure);
  }
  if (missing.length) lines.push(`no jest result in ${missing.join(', ')}`);
  lines.push(`${passed} passed, ${failed} failed`);
  return { lines, ok: total > 0 && failed === 0 };
}

module.exports = { summarize };

if (require.main === module) {
  const { lines, ok } = summarize(process.argv.slice(2), process.cwd());
  console.log(lines.join('\n'));
  process.exit(ok ? 0 : 1);
}
