#!/usr/bin/env bash
# npm start / npm run demo:drift / npm run demo:down: the demo stack on local clusters.
# State lives in .consul-mesh/ (a file:// backend); its passphrase is random, made on the first run
# and kept in .consul-mesh/demo-passphrase (mode 600), like the stack config (Pulumi.yaml's
# stackConfigDir): nothing secret is in the repository or on a command line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

step() { printf '\n==> %s\n' "$*"; }

[[ -f node_modules/.package-lock.json ]] || { step "installing npm dependencies"; npm ci; }
[[ -x "$(bash scripts/setup-tools.sh --print-path)/pulumi" ]] || step "installing consul and pulumi (first run: several minutes)"
bash scripts/setup-tools.sh
# node (22 or newer: the machine's, or Node 24 from the npm registry), consul and pulumi
export PATH="$(bash scripts/setup-tools.sh --print-path):$PATH"
export PULUMI_HOME="$root/.consul-mesh/pulumi-home"
export PULUMI_BACKEND_URL="file://$root/.consul-mesh/pulumi-state"
mkdir -p "$root/.consul-mesh/demo-stack-config"
if [[ -z "${PULUMI_CONFIG_PASSPHRASE:-}" && -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]]; then
  passphrase_file="$root/.consul-mesh/demo-passphrase"
  if [[ ! -s "$passphrase_file" ]]; then
    (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomBytes(24).toString("base64url"))' >"$passphrase_file")
  fi
  export PULUMI_CONFIG_PASSPHRASE_FILE="$passphrase_file"
fi
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
mkdir -p "$root/.consul-mesh/pulumi-state"
stack=demo

# The ACL bootstrap secret is chosen up front and kept outside the tracked files (git-ignored
# .consul-mesh/), passed to the program as an environment variable: re-runs adopt the token, and
# drift/down run the same program.
secret_file="$root/.consul-mesh/demo-bootstrap-secret"
if [[ ! -s "$secret_file" ]]; then
  (umask 077 && node -e 'process.stdout.write(require("node:crypto").randomUUID())' >"$secret_file")
fi
CONSUL_MESH_DEMO_BOOTSTRAP_SECRET=$(cat "$secret_file")
export CONSUL_MESH_DEMO_BOOTSTRAP_SECRET

# The local clusters' HTTP ports (CONSUL_MESH_PORT_OFFSET moves them, as for the test clusters).
dc1_port=$((8500 + ${CONSUL_MESH_PORT_OFFSET:-0}))
dc2_port=$((9500 + ${CONSUL_MESH_PORT_OFFSET:-0}))

case "${1:-up}" in
  up)
    step "building consul-mesh"
    npm run --silent build
    step "starting local Consul clusters dc1 (http://127.0.0.1:$dc1_port, ACLs on) and dc2 (http://127.0.0.1:$dc2_port)"
    # The agents do not need the bootstrap secret: start them without it in their environment
    # (it would stay readable in /proc/<pid>/environ for as long as they run).
    env -u CONSUL_MESH_DEMO_BOOTSTRAP_SECRET npm run --silent cluster -- start --acl=dc1
    pulumi stack select --create "$stack" --non-interactive >/dev/null
    step "pulumi up (stack $stack)"
    # --refresh: the local clusters are in-memory, so a restart empties them; refresh notices.
    pulumi up --yes --non-interactive --skip-preview --refresh
    step "stack outputs"
    pulumi stack output
    cat <<TXT

Next steps:
  - change an intention by hand (web may no longer call api):
                       npm run demo:tamper
    (it sends the management token, the stack's secret output, to curl on its standard input,
    never on a command line: see scripts/demo.sh)
  - see the drift:     npm run demo:drift
  - put it back:       npm start
  - tear it all down:  npm run demo:down
TXT
    ;;
  token)
    pulumi stack select "$stack" --non-interactive >/dev/null
    pulumi stack output bootstrapSecretId --show-secrets
    ;;
  tamper)
    pulumi stack select "$stack" --non-interactive >/dev/null
    token=$(pulumi stack output bootstrapSecretId --show-secrets)
    step "setting web -> api to deny in dc1 by hand"
    # curl reads the header from its config on standard input (-K -): the token is in no argv.
    curl -sS --fail -K - -X PUT "http://127.0.0.1:$dc1_port/v1/connect/intentions/exact?source=web&destination=api" \
      -d '{"Action":"deny"}' <<<"header = \"X-Consul-Token: $token\""
    echo
    ;;
  drift)
    pulumi stack select "$stack" --non-interactive >/dev/null
    step "pulumi preview --refresh (shows what changed in Consul since the last up)"
    pulumi preview --refresh --non-interactive --diff
    ;;
  down)
    if pulumi stack select "$stack" --non-interactive >/dev/null 2>&1; then
      step "pulumi destroy"
      pulumi destroy --yes --non-interactive --skip-preview
    fi
    step "stopping local clusters"
    npm run --silent cluster -- stop
    ;;
  *)
    echo "usage: scripts/demo.sh up|drift|tamper|token|down" >&2
    exit 2
    ;;
esac
