// Splits the test files into jest projects by what they need, read from their imports (no list to keep):
// a test that reaches DynamoDB Local or starts processes (directly or through a helper it imports) is an
// integration test; every other test is a unit test, which runs in-process without starting the JVM.
const { existsSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');
/** Modules whose reach makes a test an integration test: they start or talk to DynamoDB Local. */
const INTEGRATION_ROOTS = ['test/support/dynamodb.ts', 'local/dynamodb-local.ts'].map((p) => join(ROOT, p));
/** Starting a child process (the CLI, a JVM, a load runner) is integration work too. */
const SPAWNS = /from\s+['"](node:)?child_process['"]|require\(\s*['"](node:)?child_process['"]\s*\)/;
/**
 * So is a test that synthesizes an app as `cdk synth` does (test/lib/app/synth-fixture.ts options, in the test
 * file itself): bundling runs esbuild as a child process per Lambda entry, and CloudFormation's validator takes
 * seconds per synth.
 */
const AS_DEPLOYED = /\b(bundle|validateTemplates):\s*true\b/;
/**
 * A test that runs a drill (imports the orchestrator) judges wall-clock bounds (an RTO, a client's no-failure
 * window): it goes to the `drills` project, which runs alone after the others (one drill per idle core, at most
 * two: scripts/drill-workers.js), so no other suite is part of what it measures.
 */
const RUNS_A_DRILL = /from\s+['"](?:\.\.\/)+chaos\/orchestrator['"]/;
const IMPORT =
  /(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|require\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function resolveImport(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  return [`${base}.ts`, `${base}.js`, join(base, 'index.ts'), base].find(
    (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
  );
}

const reachCache = new Map();
function reachesIntegrationRoot(file, visiting = new Set()) {
  if (INTEGRATION_ROOTS.includes(file)) return true;
  if (reachCache.has(file)) return reachCache.get(file);
  if (visiting.has(file)) return false;
  visiting.add(file);
  const source = readFileSync(file, 'utf8');
  let reaches = SPAWNS.test(source);
  for (const match of reaches ? [] : source.matchAll(IMPORT)) {
    const target = resolveImport(file, match[1] ?? match[2]);
    if (target && reachesIntegrationRoot(target, visiting)) {
      reaches = true;
      break;
    }
  }
  visiting.delete(file);
  reachCache.set(file, reaches);
  return reaches;
}

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** { unit, integration, drills }: absolute paths of every test file under test/. */
function partitionTests() {
  const unit = [];
  const integration = [];
  const drills = [];
  for (const file of testFiles(join(ROOT, 'test'))) {
    const source = readFileSync(file, 'utf8');
    const integrationWork = AS_DEPLOYED.test(source) || reachesIntegrationRoot(file);
    if (!integrationWork) unit.push(file);
    else (RUNS_A_DRILL.test(source) ? drills : integration).push(file);
  }
  return { unit, integration, drills };
}

module.exports = { partitionTests, reachesIntegrationRoot };
