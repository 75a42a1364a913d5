#!/usr/bin/env bash
# The README's test command: installs, lints, type-checks, runs every jest suite.
# Ends with one plain line "N passed, N failed" summed over the jest projects' JSON results.
#
# Three jest runs, not one: the unit and integration projects get every core (each of their waits is bounded
# on a condition, never a fixed time); the drills project runs after them, alone: drills judge wall-clock
# bounds (an RTO, a client's no-failure window), and anything beside them is part of what they measure. How
# many drills run at a time is measured right before them (scripts/drill-workers.js): one per idle core, at
# most two, so an idle 2-core host runs two (drills 254 s instead of 385 s) and a host whose cores are busy
# (contend.sh's two loops) runs one. DRILL_WORKERS=N overrides the measurement.
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
echo "› tests (jest, drills project)"
drill_workers=${DRILL_WORKERS:-$(node scripts/drill-workers.js)} || drill_workers=1
echo "  $drill_workers drill(s) at a time${DRILL_WORKERS:+ (DRILL_WORKERS)}"
npx jest --ci --selectProjects drills --maxWorkers="$drill_workers" --passWithNoTests --json --outputFile=.jest-drills.json "$@" || status=1
node scripts/jest-summary.js .jest-unit.json .jest-integration.json .jest-drills.json || status=1
exit $status
