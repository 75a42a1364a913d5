#!/usr/bin/env bash
# Installs the project's dependencies from package-lock.json when they are missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
  exit 0
fi
echo "› installing dependencies (npm ci)" >&2
log="$(mktemp)"
if npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  rm -f "$log"; exit 0
fi
if grep -q "are in sync" "$log"; then
  # Registries that mirror only this platform's optional packages (e.g. biome's and esbuild's per-OS
  # binaries) make `npm ci` reject a lock file that lists the others; `npm install` resolves the
  # same locked versions and skips what this platform does not need.
  echo "› npm ci rejected the lock file (other platforms' optional packages are not in this registry); using npm install with the same lock" >&2
  npm install --no-audit --no-fund --loglevel=error
else
  cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
