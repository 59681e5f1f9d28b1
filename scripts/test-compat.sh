#!/usr/bin/env bash
# npm run test:compat: the e2e suite on the oldest versions consul-mesh claims to support.
#   node-22-lowest  Node.js 22 LTS with the LOWEST @pulumi/pulumi that the peer range allows
#                   (package.json peerDependencies), in an isolated copy of the checkout (the repo's
#                   node_modules is untouched): built, type-checked and the e2e suite run against it.
# The primary suite (npm test) already runs on Node 24 with the newest @pulumi/pulumi.
# The leg is bounded by CONSUL_MESH_COMPAT_LEG_TIMEOUT seconds (default 2400); a leg that runs over
# is killed and counts as failed. The clusters honour CONSUL_MESH_PORT_OFFSET like every other test
# run. Logs: $CONSUL_MESH_COMPAT_LOGS (default .consul-mesh/compat/<leg>.log). Exit status: 0 when
# every leg passed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)

legs=("$@")
[[ ${#legs[@]} -eq 0 ]] && legs=(node-22-lowest)
leg_timeout=${CONSUL_MESH_COMPAT_LEG_TIMEOUT:-2400}
logs=${CONSUL_MESH_COMPAT_LOGS:-$repo/.consul-mesh/compat}
mkdir -p "$logs"
export CONSUL_MESH_PORT_OFFSET=${CONSUL_MESH_PORT_OFFSET:-0}

log() { printf '[compat %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

[[ -f node_modules/.package-lock.json ]] || npm ci
bash scripts/setup-tools.sh --with-python # (its e2e run has the Python program too)
for leg in "${legs[@]}"; do
  case "$leg" in
    node-22-lowest) bash scripts/setup-compat.sh ;;
    *) log "unknown leg $leg (known: node-22-lowest)"; exit 2 ;;
  esac
done
tools=$(bash scripts/setup-tools.sh --print-path)
node22=$(bash scripts/setup-compat.sh --print node)/bin

# run_e2e DIR LOG: the e2e suite of the checkout in DIR, bounded in time, clusters stopped afterwards
# even when the run was killed (the mocha teardown does not run then).
run_e2e() {
  local dir=$1 out=$2 rc=0
  (
    cd "$dir"
    timeout --kill-after=30 "$leg_timeout" npx mocha --require ts-node/register/transpile-only \
      --require tests/support/global-clusters.ts --timeout 60000 --reporter spec "tests/e2e/**/*.test.ts"
  ) 2>&1 | tee "$out" || rc=${PIPESTATUS[0]}
  (cd "$dir" && npx ts-node --transpile-only scripts/cluster.ts stop >/dev/null 2>&1) || true
  [[ $rc -eq 124 || $rc -eq 137 ]] && log "killed after ${leg_timeout}s"
  return "$rc"
}

# (The legs run as `if leg; then`, where bash ignores set -e: every step checks its own status.)
leg_node_22_lowest() {
  local out="$logs/node-22-lowest.log" copy rc=0
  copy=$(mktemp -d "${TMPDIR:-/tmp}/consul-mesh-compat-node22-XXXXXX")
  # The checkout without its installs, build output, cluster state or git data.
  tar -C "$repo" --exclude=./node_modules --exclude=./dist --exclude=./.consul-mesh --exclude=./.git -cf - . | tar -C "$copy" -xf - || rc=1
  (
    # node 22 first, then the tools (whose own node link is 24: it must come after node 22).
    export PATH="$node22:$tools:$PATH"
    cd "$copy" || exit 1
    # The lowest version the peer range allows: its lower bound (">=3.248.0 <4" -> 3.248.0).
    lowest=$(node -p 'require("./package.json").peerDependencies["@pulumi/pulumi"].match(/>=\s*([0-9.]+)/)[1]') || exit 1
    log "node-22-lowest: node $(node --version), @pulumi/pulumi $lowest (lowest in the peer range), $(consul version | head -n1), in $copy"
    npm ci --no-audit --no-fund --prefer-offline >/dev/null &&
      npm install --no-audit --no-fund --prefer-offline --save-dev --save-exact "@pulumi/pulumi@$lowest" >/dev/null &&
      npm run --silent build &&
      # The declarations and the tests must also type-check against the lowest SDK.
      npx tsc -p tsconfig.dev.json &&
      log "node-22-lowest: installed @pulumi/pulumi $(node -p 'require("@pulumi/pulumi/package.json").version'), built and type-checked" &&
      run_e2e "$copy" "$out"
  ) || rc=$?
  rm -rf "$copy"
  return "$rc"
}

declare -A result elapsed
for leg in "${legs[@]}"; do
  started=$SECONDS
  case "$leg" in
    node-22-lowest) if leg_node_22_lowest; then result[$leg]=passed; else result[$leg]=FAILED; fi ;;
    *) log "unknown leg $leg (known: node-22-lowest)"; exit 2 ;;
  esac
  elapsed[$leg]=$((SECONDS - started))
done

status=0
echo "=== compatibility runs"
for leg in "${legs[@]}"; do
  summary=$(grep -E '^ +[0-9]+ (passing|failing|pending)' "$logs/$leg.log" 2>/dev/null | tr -s ' ' | tr '\n' ',' | sed 's/,$//')
  echo "$leg: ${result[$leg]} in ${elapsed[$leg]}s (${summary:-no mocha summary}; log $logs/$leg.log)"
  [[ "${result[$leg]}" == passed ]] || status=1
done
exit "$status"
