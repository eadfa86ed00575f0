#!/usr/bin/env bash
# Installs axe-core from the npm registry into tests/.axe (ignored by git) for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f .axe/node_modules/axe-core/axe.min.js ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: the browser tests will be skipped with that reason"
  exit 0
fi
mkdir -p .axe
echo '{"private": true, "name": "esafe-learn-axe", "version": "1.0.0"}' > .axe/package.json
npm install --prefix .axe --silent --no-audit --no-fund axe-core@4.10 >/dev/null
echo "axe-core installed in tests/.axe"
