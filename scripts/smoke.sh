#!/usr/bin/env bash
# Short variants of the long-running commands, for CI: the local demo (the README's main job, booted,
# exercised and shut down) and each benchmark's --smoke run. They fail only on errors, never on timings.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh || exit 1
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
status=0
run() {
  local name="$1"; shift
  local started=$SECONDS
  echo "› smoke: $name"
  if "$@"; then echo "  ok: $name ($((SECONDS - started)) s)"; else echo "  FAILED: $name"; status=1; fi
}
run "local topology demo" node --import tsx local/main.ts --demo
run "synth bench" npx tsx bench/synth.bench.ts --smoke
run "api bench" node --import tsx bench/api.bench.ts --smoke
run "webhooks bench" node --import tsx bench/webhooks.bench.ts --smoke
run "replication bench" node --import tsx bench/replication.bench.ts --smoke
exit $status
