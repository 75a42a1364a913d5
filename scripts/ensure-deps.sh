#!/usr/bin/env bash
# Installs the project's dependencies from package-lock.json when they are missing or stale.
# It never changes a tracked file: npm ci does not write the lock, the fallback runs with --no-save,
# and if package.json or package-lock.json changed anyway they are restored and the command fails.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
  exit 0
fi
echo "› installing dependencies (npm ci)" >&2
log="$(mktemp)"
saved="$(mktemp -d)"
trap 'rm -rf "$log" "$saved"' EXIT
if npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  exit 0
fi
if ! grep -q "are in sync" "$log"; then
  cat "$log" >&2
  exit 1
fi
# Registries that mirror only this platform's optional packages (e.g. biome's and esbuild's per-OS
# binaries) make `npm ci` reject a lock file that lists the others; `npm install` resolves the
# same locked versions and skips what this platform does not need. --no-save: it must not rewrite
# the lock (a fresh clone's first command may not change a tracked file).
echo "› npm ci rejected the lock file (other platforms' optional packages are not in this registry); using npm install --no-save with the same lock" >&2
cp package.json package-lock.json "$saved/"
status=0
npm install --no-save --no-audit --no-fund --loglevel=error || status=$?
for file in package.json package-lock.json; do
  if ! cmp -s "$file" "$saved/$file"; then
    cp "$saved/$file" "$file"
    echo "✗ npm install changed $file although it ran with --no-save; restored it. The lock file does not match" >&2
    echo "  package.json or this registry: run 'npm install' yourself, review and commit package-lock.json." >&2
    exit 1
  fi
done
exit "$status"
