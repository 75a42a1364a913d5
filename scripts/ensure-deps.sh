#!/usr/bin/env bash
# Installs the project's dependencies from package-lock.json when they are missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "› installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
