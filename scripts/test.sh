#!/usr/bin/env bash
# npm test: lint, type-check, then the unit, integration, e2e and fault suites (or the ones named:
# bash scripts/test.sh unit e2e). Everything runs on the Node.js that setup provides (the machine's
# node when it is 22 or newer, else Node 24 LTS from the npm registry). The unit suite and the lint
# need no server, so they run before consul and pulumi are built (on a cold machine that build takes
# several minutes). Integration and e2e start the local clusters once per run
# (tests/support/global-clusters.ts) and stop them afterwards; each fault test file starts and stops
# its own dc4 (three servers, TLS, rate limits, ...). Per-suite times are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

suites=("$@")
[[ ${#suites[@]} -eq 0 ]] && suites=(lint unit integration e2e faults)

[[ -f node_modules/.package-lock.json ]] || npm ci
bash scripts/setup-tools.sh --node-only
export PATH="$(bash scripts/setup-tools.sh --print-path):$PATH"
# Node's on-disk bytecode cache for every node process of the run (mocha, ts-node, the Pulumi
# programs and the dynamic-provider host): they load the same large modules again and again.
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$PWD/.consul-mesh/node-compile-cache}"
echo "node $(node --version), @pulumi/pulumi $(node -p 'require("@pulumi/pulumi/package.json").version')"

tools_ready=false
declare -a report
for suite in "${suites[@]}"; do
  started=$SECONDS
  echo "=== $suite"
  case "$suite" in
    lint)
      npm run --silent build
      npx tsc -p tsconfig.dev.json
      npm run --silent lint
      ;;
    unit)
      npx mocha --require ts-node/register/transpile-only --timeout 20000 --reporter spec "tests/unit/**/*.test.ts"
      ;;
    integration | e2e | faults)
      if ! $tools_ready; then
        bash scripts/setup-tools.sh
        npm run --silent build
        tools_ready=true
      fi
      hooks=()
      [[ "$suite" != faults ]] && hooks=(--require tests/support/global-clusters.ts)
      npx mocha --require ts-node/register/transpile-only "${hooks[@]}" --timeout 60000 \
        --reporter spec "tests/$suite/**/*.test.ts"
      ;;
    *) echo "unknown suite $suite (known: lint unit integration e2e faults)" >&2; exit 2 ;;
  esac
  report+=("$suite: $((SECONDS - started))s")
done
echo "=== times"
printf '%s\n' "${report[@]}"
