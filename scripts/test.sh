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
report=()
failed=()
faults_pid=""
faults_log=.consul-mesh/logs/faults.log

ensure_tools() {
  if ! $tools_ready; then
    bash scripts/setup-tools.sh
    npm run --silent build
    tools_ready=true
  fi
}

run_mocha() {
  local suite=$1 hooks=()
  [[ "$suite" != faults ]] && hooks=(--require tests/support/global-clusters.ts)
  npx mocha --require ts-node/register/transpile-only "${hooks[@]}" --timeout 60000 \
    --reporter spec "tests/$suite/**/*.test.ts"
}

# The fault suite runs on its own cluster (dc4) and the others on dc1-dc3, so when both are asked
# for, faults runs in the background beside integration and e2e (its output is printed when it
# ends). CONSUL_MESH_SERIAL=1 runs every suite one after the other instead.
parallel_faults=false
if [[ "${CONSUL_MESH_SERIAL:-}" != 1 ]] && [[ " ${suites[*]} " == *" faults "* ]] &&
  { [[ " ${suites[*]} " == *" e2e "* ]] || [[ " ${suites[*]} " == *" integration "* ]]; }; then
  parallel_faults=true
fi

for suite in "${suites[@]}"; do
  started=$SECONDS
  case "$suite" in
    lint)
      echo "=== lint"
      npm run --silent build
      npx tsc -p tsconfig.dev.json
      npm run --silent lint
      ;;
    unit)
      echo "=== unit"
      npx mocha --require ts-node/register/transpile-only --timeout 20000 --reporter spec "tests/unit/**/*.test.ts"
      ;;
    integration | e2e)
      ensure_tools
      if $parallel_faults && [[ -z "$faults_pid" ]]; then
        mkdir -p "$(dirname "$faults_log")"
        echo "=== faults (in the background beside integration and e2e; output: $faults_log)"
        faults_started=$SECONDS
        (run_mocha faults >"$faults_log" 2>&1; echo $? >"$faults_log.rc") &
        faults_pid=$!
      fi
      echo "=== $suite"
      # On a failure, first let a background fault run finish (it stops its own cluster), then fail.
      if ! run_mocha "$suite"; then
        failed+=("$suite")
        [[ -n "$faults_pid" ]] && break
        exit 1
      fi
      ;;
    faults)
      if $parallel_faults; then continue; fi
      ensure_tools
      echo "=== faults"
      run_mocha faults
      ;;
    *) echo "unknown suite $suite (known: lint unit integration e2e faults)" >&2; exit 2 ;;
  esac
  report+=("$suite: $((SECONDS - started))s")
done

if [[ -n "$faults_pid" ]]; then
  wait "$faults_pid" || true
  echo "=== faults (ran in the background)"
  cat "$faults_log"
  report+=("faults (beside integration and e2e): $((SECONDS - faults_started))s")
  rc=$(cat "$faults_log.rc" 2>/dev/null || echo 1)
  [[ "$rc" == 0 ]] || failed+=(faults)
fi
echo "=== times (total $SECONDS s)"
printf '%s\n' "${report[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
