#!/usr/bin/env bash
# The README's test command: installs, lints, type-checks, runs every jest suite.
# Ends with one plain line "N passed, N failed" summed over both jest projects' JSON results.
#
# Two jest runs, not one: the unit project is CPU-bound (transpiling, CDK synthesis), so it gets every core;
# the integration project runs on one worker, because its drills judge wall-clock bounds (an RTO, a
# client's no-failure window) and a second drill beside them would be part of what they measure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || exit 1
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
status=0
echo "› lint (biome)"; npx biome check . || status=1
echo "› type-check (tsc)"; npx tsc --noEmit -p tsconfig.json || status=1
rm -f .jest-unit.json .jest-integration.json
echo "› tests (jest, unit project, every core)"
npx jest --ci --selectProjects unit --maxWorkers=100% --passWithNoTests --json --outputFile=.jest-unit.json "$@" || status=1
echo "› tests (jest, integration project, one worker)"
npx jest --ci --selectProjects integration --maxWorkers=1 --passWithNoTests --json --outputFile=.jest-integration.json "$@" || status=1
node -e '
const fs = require("node:fs");
const files = [".jest-unit.json", ".jest-integration.json"];
const missing = files.filter((f) => !fs.existsSync(f));
let passed = 0, failed = missing.length, total = 0;
for (const f of files.filter((f) => fs.existsSync(f))) {
  const r = JSON.parse(fs.readFileSync(f, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  total += r.numTotalTests;
}
if (missing.length) console.error(`no jest result in ${missing.join(", ")}`);
console.log(`${passed} passed, ${failed} failed`);
if (total === 0 || failed > 0) process.exit(1);
' || status=1
exit $status
