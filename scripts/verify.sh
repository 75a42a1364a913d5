#!/usr/bin/env bash
# The README's test command: installs, lints, type-checks, runs every jest suite.
# Ends with one plain line "N passed, N failed" summed over the jest projects' JSON results.
#
# Three jest runs, not one: the unit and integration projects get every core (each of their waits is bounded
# on a condition, never a fixed time); the drills project runs alone, after them, one drill at a time: drills
# judge wall-clock bounds (an RTO, a client's no-failure window), and anything beside them is part of what they
# measure. DRILL_WORKERS=2 runs two at a time (an idle fresh clone: drills 254 s instead of 385 s); beside
# contend.sh's two busy loops that was more than the drills can judge (a region loss whose fault never took
# effect), so it is not the default.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || exit 1
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
status=0
echo "› lint (biome)"; npx biome check . || status=1
echo "› type-check (tsc)"; npx tsc --noEmit -p tsconfig.json || status=1
rm -f .jest-unit.json .jest-integration.json .jest-drills.json
echo "› tests (jest, unit project, every core)"
npx jest --ci --selectProjects unit --maxWorkers=100% --passWithNoTests --json --outputFile=.jest-unit.json "$@" || status=1
echo "› tests (jest, integration project, every core)"
npx jest --ci --selectProjects integration --maxWorkers=100% --passWithNoTests --json --outputFile=.jest-integration.json "$@" || status=1
if [ -n "${VERIFY_BEFORE_DRILLS:-}" ]; then
  # CI's hook: wait for its smoke run (started beside the suites above) and print its log.
  echo "› before the drills (VERIFY_BEFORE_DRILLS)"; eval "$VERIFY_BEFORE_DRILLS"
fi
drill_workers=${DRILL_WORKERS:-1}
echo "› tests (jest, drills project, $drill_workers at a time)"
npx jest --ci --selectProjects drills --maxWorkers="$drill_workers" --passWithNoTests --json --outputFile=.jest-drills.json "$@" || status=1
node scripts/jest-summary.js .jest-unit.json .jest-integration.json .jest-drills.json || status=1
exit $status
