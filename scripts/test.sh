#!/usr/bin/env bash
# npm test: installs the tools if needed, builds, type-checks, then runs the unit, integration, e2e
# and fault suites (or the ones named: bash scripts/test.sh unit e2e). Integration and e2e start the
# local clusters once per run (tests/support/global-clusters.ts) and stop them afterwards; each fault
# test file starts and stops its own dc4 (three servers, TLS, rate limits, ...).
set -euo pipefail
cd "$(dirname "$0")/.."

suites=("$@")
[[ ${#suites[@]} -eq 0 ]] && suites=(unit integration e2e faults)

[[ -f node_modules/.package-lock.json ]] || npm ci
bash scripts/setup-tools.sh
npm run --silent build
npx tsc -p tsconfig.dev.json
export PATH="$(bash scripts/setup-tools.sh --print-path):$PATH"

for suite in "${suites[@]}"; do
  echo "=== $suite tests"
  hooks=()
  [[ "$suite" == integration || "$suite" == e2e ]] && hooks=(--require tests/support/global-clusters.ts)
  npx mocha --require ts-node/register/transpile-only "${hooks[@]}" --timeout 60000 \
    --reporter spec "tests/$suite/**/*.test.ts"
done
