#!/usr/bin/env bash
# npm test: lint, type-check, then the unit, integration, e2e, fault and security suites (or the ones named:
# bash scripts/test.sh unit e2e). Everything runs on the Node.js that setup provides (the machine's
# node when it is 22 or newer, else Node 24 LTS from the npm registry). The unit suite and the lint
# need no server: run alone (npm run test:unit, npm run test:lint) they do not wait for consul and
# pulumi to be built (on a cold machine that build takes several minutes). Integration and e2e start
# the local clusters once per run (tests/support/global-clusters.ts) and stop them afterwards; each
# fault test file starts and stops its own dc4 (three servers, TLS, rate limits, ...). The security
# suite deploys every example on clusters of its own (another port offset). The lint, fault and
# security suites (and, with e2e, the e2e files of e2e_beside), when they run beside integration or
# e2e, start first, one after the other in the background, so that they overlap unit, integration
# and e2e. Per-suite times are printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

suites=("$@")
[[ ${#suites[@]} -eq 0 ]] && suites=(lint unit integration e2e faults security)

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
log_of() { echo ".consul-mesh/logs/$1.log"; }
# The security suite runs its own dc1-dc3 at another port offset, so that it can run beside the
# integration and e2e suites.
base_offset=${CONSUL_MESH_PORT_OFFSET:-0}
security_offset=$((base_offset == 15000 ? 5000 : 15000))

built=false
# One build per run: dist/ must not be rebuilt while a background suite loads it.
build_once() {
  if ! $built; then
    npm run --silent build
    built=true
  fi
}

ensure_tools() {
  if ! $tools_ready; then
    # With the Python host and SDK (tests/e2e/python-program.test.ts): about 1.5 min more when cold.
    bash scripts/setup-tools.sh --with-python
    build_once
    tools_ready=true
  fi
}

run_lint() {
  # No build needed: tsconfig.dev.json maps consul-mesh to the sources (a fresh clone lints right after npm ci).
  # The API reference last: a broken {@link}, an undocumented or unexported public type fails it.
  npx tsc -p tsconfig.dev.json && npm run --silent lint && npm run --silent docs
}

# e2e files that run in the background job (after the security suite, on its port offset) when there
# is one: the foreground path (unit, integration, e2e) is the longer one, and these move about 90 s
# of it to the other core.
e2e_beside=(tests/e2e/ca-configuration-example.test.ts)

run_mocha() {
  local suite=$1 hooks=() files=("tests/$1/**/*.test.ts") ignore=()
  [[ "$suite" != faults ]] && hooks=(--require tests/support/global-clusters.ts)
  if [[ "$suite" == e2e ]] && in_background e2e-beside; then
    for f in "${e2e_beside[@]}"; do ignore+=(--ignore "$f"); done
  fi
  if [[ "$suite" == security || "$suite" == e2e-beside ]]; then
    [[ "$suite" == e2e-beside ]] && hooks=(--require tests/support/global-clusters.ts) files=("${e2e_beside[@]}")
    CONSUL_MESH_PORT_OFFSET=$security_offset npx mocha --require ts-node/register/transpile-only "${hooks[@]}" --timeout 60000 \
      --reporter spec "${files[@]}"
    return
  fi
  npx mocha --require ts-node/register/transpile-only "${hooks[@]}" --timeout 60000 \
    --reporter spec "${ignore[@]}" "${files[@]}"
}

# The fault suite runs on its own cluster (dc4) and the security suite on clusters at another port
# offset, so when integration or e2e is asked for too, they run one after the other in the
# background beside unit, integration and e2e (their output is printed when they end). The lint
# needs no server and goes first in that background job: integration and e2e are the longer path.
# CONSUL_MESH_SERIAL=1 runs every suite one after the other instead.
background=()
if [[ "${CONSUL_MESH_SERIAL:-}" != 1 ]] && { [[ " ${suites[*]} " == *" e2e "* ]] || [[ " ${suites[*]} " == *" integration "* ]]; }; then
  for s in lint faults security; do [[ " ${suites[*]} " == *" $s "* ]] && background+=("$s"); done
  if [[ ${#background[@]} -gt 0 && " ${suites[*]} " == *" e2e "* ]]; then background+=(e2e-beside); fi
fi
in_background() { [[ " ${background[*]} " == *" $1 "* ]]; }

# The background job starts before every other suite: the tools are set up and dist/ built first
# (once: nothing builds again while a suite loads dist/).
if [[ ${#background[@]} -gt 0 ]]; then
  ensure_tools
  mkdir -p .consul-mesh/logs
  for s in "${background[@]}"; do rm -f "$(log_of "$s")".{rc,time}; done
  echo "=== ${background[*]} (in the background beside the other suites; output: .consul-mesh/logs/)"
  (
    for s in "${background[@]}"; do
      log=$(log_of "$s")
      t=$SECONDS
      rc=0
      # (A failing suite does not end the job: the next one still runs.)
      if [[ "$s" == lint ]]; then run_lint >"$log" 2>&1 || rc=$?; else run_mocha "$s" >"$log" 2>&1 || rc=$?; fi
      echo $rc >"$log.rc"
      echo $((SECONDS - t)) >"$log.time"
    done
  ) &
  faults_pid=$!
fi

for suite in "${suites[@]}"; do
  started=$SECONDS
  case "$suite" in
    lint)
      if in_background "$suite"; then continue; fi
      echo "=== lint"
      # On a failure, first let a background run finish (it stops its own clusters), then fail.
      if ! run_lint; then
        failed+=("$suite")
        [[ -n "$faults_pid" ]] && break
        exit 1
      fi
      ;;
    unit)
      echo "=== unit"
      if ! npx mocha --require ts-node/register/transpile-only --timeout 20000 --reporter spec "tests/unit/**/*.test.ts"; then
        failed+=("$suite")
        [[ -n "$faults_pid" ]] && break
        exit 1
      fi
      ;;
    integration | e2e)
      ensure_tools
      echo "=== $suite"
      if ! run_mocha "$suite"; then
        failed+=("$suite")
        [[ -n "$faults_pid" ]] && break
        exit 1
      fi
      ;;
    faults | security)
      if in_background "$suite"; then continue; fi
      ensure_tools
      echo "=== $suite"
      if ! run_mocha "$suite"; then
        failed+=("$suite")
        break
      fi
      ;;
    *) echo "unknown suite $suite (known: lint unit integration e2e faults security)" >&2; exit 2 ;;
  esac
  report+=("$suite: $((SECONDS - started))s")
done

if [[ -n "$faults_pid" ]]; then
  wait "$faults_pid" || true
  for s in "${background[@]}"; do
    log=$(log_of "$s")
    echo "=== $s (ran in the background)"
    cat "$log" 2>/dev/null || true
    report+=("$s (in the background): $(cat "$log.time" 2>/dev/null || echo '?')s")
    rc=$(cat "$log.rc" 2>/dev/null || echo 1)
    [[ "$rc" == 0 ]] || failed+=("$s")
  done
fi
echo "=== times (total $SECONDS s)"
printf '%s\n' "${report[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
