#!/usr/bin/env bash
# The README's test command: installs, lints, type-checks, runs every jest suite.
# Ends with one plain line "N passed, N failed" read from jest's JSON result.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || exit 1
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
status=0
echo "› lint (biome)"; npx biome check . || status=1
echo "› type-check (tsc)"; npx tsc --noEmit -p tsconfig.json || status=1
echo "› tests (jest)"
rm -f .jest-results.json
npx jest --ci --json --outputFile=.jest-results.json "$@" || status=1
if [[ -f .jest-results.json ]]; then
  node -e 'const r=require("./.jest-results.json"); console.log(`${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`); if (r.numTotalTests === 0) process.exit(1)' || status=1
else
  echo "0 passed, 1 failed"; status=1
fi
exit $status
