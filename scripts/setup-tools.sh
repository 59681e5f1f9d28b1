#!/usr/bin/env bash
# Makes node (>= 22.19), consul, pulumi, pulumi-language-nodejs, pulumi-language-yaml and
# pulumi-resource-pulumi-nodejs available in ONE directory (printed by --print-path); every script
# puts it first on PATH. Suitable binaries already on PATH are used as they are; the rest are built
# from the Go module proxy into a cache outside the repo, keyed by tool version, Go version and the
# wrapper go.mod, under a lock. A second run is a no-op.
#
#   bash scripts/setup-tools.sh               install what is missing
#   bash scripts/setup-tools.sh --print-path  print the tools directory (nothing else)
#   bash scripts/setup-tools.sh --node-only   only node (what the unit tests and the linter need)
#   bash scripts/setup-tools.sh --with-python also what Python programs need (npm test runs this):
#                                             pulumi-language-python(-exec), consul-mesh-gen-python
#                                             (the Python SDK generator) and a venv with the pulumi
#                                             Python SDK
#   bash scripts/setup-tools.sh --print-python-venv  print that venv's directory
#
# Environment: CONSUL_MESH_CACHE (cache root, default ~/.cache/consul-mesh),
#              CONSUL_MESH_BUILD_TOOLS=1 (ignore binaries on PATH and use the cache).
set -euo pipefail

# Consul 1.16.3 is the newest release under the MPL-2.0 that the Go module proxy serves (1.17 and later,
# and the envoyextensions/troubleshoot versions they need, are under the Business Source License).
# Its go.mod replaces its sibling modules with ./api etc.; outside its tree the versions its require
# block names are used, each under the MPL-2.0 (the licence gate in scripts/lib/go-build.sh checks).
CONSUL_VERSION=1.16.3
CONSUL_API=v1.25.1
CONSUL_SDK=v0.14.1
CONSUL_PROTO_PUBLIC=v0.4.1
CONSUL_ENVOYEXT=v0.4.1
CONSUL_TROUBLESHOOT=v0.3.1
PULUMI_VERSION=3.276.0
# The Node.js language host lives in its own, never-tagged Go module since mid-2023, and the module
# proxy serves no pseudo-version of it. The last release that kept it inside the tagged sdk/v3
# module is 3.68.0; newer CLIs talk to it through their documented fallbacks (no Handshake RPC).
LANGHOST_SDK_VERSION=3.68.0
# Pulumi YAML's language host (Apache-2.0), for YAML programs that use the consul-mesh plugin. Built
# with the pkg/sdk v3.206.0 its go.mod names: it does not compile against the CLI's v3.276.0 (the
# plugin-loader API changed in between).
PULUMI_YAML_VERSION=1.25.0
# Python programs (--with-python): the Python language host likewise left sdk/v3 for a module of its
# own that the proxy does not serve; 3.79.0 is the last sdk/v3 release that contains it. The Python
# SDK comes from PyPI into a venv in the cache.
PYTHON_HOST_SDK_VERSION=3.79.0
PYTHON_SDK_VERSION=3.272.0
PYTHON_WHEEL_VERSION=0.48.0
GO_FALLBACK_VERSION=1.26.8
# Node.js: the machine's node when package.json's engines allow it (>= 22.19, which undici 8 needs),
# else this Node 24 LTS from the npm registry.
NODE_VERSION=24.22.3
MIN_NODE=22.19.0

CACHE_ROOT="${CONSUL_MESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/consul-mesh}"
BIN_DIR="$CACHE_ROOT/bin"
PYTHON_VENV="$CACHE_ROOT/python-venv-pulumi-$PYTHON_SDK_VERSION"

case "${1:-}" in
  --print-path) echo "$BIN_DIR"; exit 0 ;;
  --print-python-venv) echo "$PYTHON_VENV"; exit 0 ;;
esac
only_node=false
with_python=false
[[ "${1:-}" == "--node-only" ]] && only_node=true
[[ "${1:-}" == "--with-python" ]] && with_python=true

log() { printf '[setup %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$CACHE_ROOT/builds" "$BIN_DIR"
exec 9>"$CACHE_ROOT/setup.lock"
if ! flock -n 9; then
  log "another setup holds $CACHE_ROOT/setup.lock; waiting for it"
  flock 9
fi

# version_ge, ensure_go, go_build, install_node (shared with scripts/setup-compat.sh)
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-build.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-install.sh"

# which_outside_bin NAME: first NAME on PATH that is not our own BIN_DIR entry.
which_outside_bin() {
  local IFS=: dir
  for dir in $PATH; do
    [[ -z "$dir" || "$(cd "$dir" 2>/dev/null && pwd -P)" == "$(cd "$BIN_DIR" && pwd -P)" ]] && continue
    if [[ -x "$dir/$1" && ! -d "$dir/$1" ]]; then echo "$dir/$1"; return 0; fi
  done
  return 1
}

# Binaries we built are hard-linked (the CLI looks for its language host beside its own resolved
# path, so a symlink into the build cache would make it warn); ones found on PATH are symlinked.
link_tool() {
  rm -f "$BIN_DIR/$1"
  if [[ "$2" == "$CACHE_ROOT/builds/"* ]]; then
    ln "$2" "$BIN_DIR/$1" 2>/dev/null || cp "$2" "$BIN_DIR/$1"
  else
    ln -s "$2" "$BIN_DIR/$1"
  fi
  log "$1 -> $2"
}

setup_consul() {
  # Only the exact release is taken from PATH; any other consul (a BSL 1.17+ one, say) is left alone.
  # A user who wants the suites on their own consul sets CONSUL_MESH_CONSUL (scripts/lib/clusters.ts).
  if [[ "${CONSUL_MESH_BUILD_TOOLS:-}" != 1 ]] && found=$(which_outside_bin consul); then
    local v; v=$("$found" version 2>/dev/null | sed -n 's/^Consul v\([0-9.]*\).*/\1/p' | sed -n 1p)
    if [[ "${v:-}" == "$CONSUL_VERSION" ]]; then link_tool consul "$found"; return; fi
    log "ignoring consul ${v:-?} at $found (the suites run on $CONSUL_VERSION)"
  fi
  local gomod
  gomod=$(cat <<EOF
module consulmesh.local/toolbuild/consul

go 1.25.9

require (
	github.com/hashicorp/consul v$CONSUL_VERSION
	github.com/hashicorp/consul/api $CONSUL_API
	github.com/hashicorp/consul/envoyextensions $CONSUL_ENVOYEXT
	github.com/hashicorp/consul/proto-public $CONSUL_PROTO_PUBLIC
	github.com/hashicorp/consul/sdk $CONSUL_SDK
	github.com/hashicorp/consul/troubleshoot $CONSUL_TROUBLESHOOT
)

exclude (
	github.com/hashicorp/go-msgpack v1.1.5
	github.com/hashicorp/go-msgpack v1.1.6
)
EOF
)
  link_tool consul "$(go_build consul github.com/hashicorp/consul "$gomod")"
}

# The go.mod of a wrapper module that builds a main package of the CLI's pkg/v3 (and its sdk/v3) at
# $PULUMI_VERSION, with the replace line pkg's own go.mod carries; $1 names the module.
pulumi_pkg_gomod() {
  cat <<EOF
module consulmesh.local/toolbuild/$1

go 1.25.9

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
EOF
}

setup_pulumi() {
  local found="" lang=""
  if [[ "${CONSUL_MESH_BUILD_TOOLS:-}" != 1 ]] && found=$(which_outside_bin pulumi); then
    local v; v=$("$found" version 2>/dev/null | sed 's/^v//')
    if version_ge "${v:-0}" "$PULUMI_VERSION"; then
      link_tool pulumi "$found"
      # The language host normally sits beside the CLI.
      if [[ -x "$(dirname "$found")/pulumi-language-nodejs" ]]; then lang="$(dirname "$found")/pulumi-language-nodejs"
      elif lang=$(which_outside_bin pulumi-language-nodejs); then :; fi
    else
      log "ignoring pulumi ${v:-?} at $found (need >= $PULUMI_VERSION)"; found=""
    fi
  else
    found=""
  fi
  if [[ -z "$found" ]]; then
    local gomod
    gomod=$(pulumi_pkg_gomod pulumi)
    link_tool pulumi "$(go_build pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$gomod" \
      "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION")"
  fi
  if [[ -n "$lang" ]]; then
    link_tool pulumi-language-nodejs "$lang"
  else
    local gomod
    gomod=$(cat <<EOF
module consulmesh.local/toolbuild/pulumi-language-nodejs

go 1.25.9

require github.com/pulumi/pulumi/sdk/v3 v$LANGHOST_SDK_VERSION
EOF
)
    link_tool pulumi-language-nodejs "$(go_build pulumi-language-nodejs \
      github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "$gomod" \
      "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_SDK_VERSION")"
  fi
}

setup_pulumi_yaml() {
  local found
  if [[ "${CONSUL_MESH_BUILD_TOOLS:-}" != 1 ]] && found=$(which_outside_bin pulumi-language-yaml); then
    link_tool pulumi-language-yaml "$found"
    return
  fi
  local gomod
  gomod=$(cat <<EOF
module consulmesh.local/toolbuild/pulumi-language-yaml

go 1.25.9

require github.com/pulumi/pulumi-yaml v$PULUMI_YAML_VERSION

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
EOF
)
  local bin # (an assignment, so that a failed build stops the script)
  bin=$(go_build pulumi-language-yaml github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml "$gomod" \
    "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$PULUMI_YAML_VERSION")
  link_tool pulumi-language-yaml "$bin"
}

setup_python() {
  # The language host from the last sdk/v3 release that kept it inside that module (see the top), and
  # the script it runs the program with (it starts `python3 -u -m pulumi.run ...`), side by side.
  # Without python3 there is nothing to run Python programs with: said, and the Python e2e test skips.
  if ! command -v python3 >/dev/null 2>&1; then
    log "no python3 on PATH: Python programs are not set up (tests/e2e/python-program.test.ts will skip)"
    return
  fi
  local gomod bin dir exec_script
  gomod=$(cat <<EOF
module consulmesh.local/toolbuild/pulumi-language-python

go 1.25.9

require github.com/pulumi/pulumi/sdk/v3 v$PYTHON_HOST_SDK_VERSION
EOF
)
  bin=$(go_build pulumi-language-python github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python "$gomod" \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PYTHON_HOST_SDK_VERSION")
  dir=$(dirname "$bin")
  if [[ ! -x "$dir/pulumi-language-python-exec" ]]; then
    ensure_go # (go_build ran in a subshell: $GO is set here, and the module is in the cache)
    exec_script="$("$GO" env GOMODCACHE)/github.com/pulumi/pulumi/sdk/v3@v$PYTHON_HOST_SDK_VERSION/python/cmd/pulumi-language-python-exec"
    [[ -f "$exec_script" ]] || die "$exec_script is missing from the module cache"
    cp "$exec_script" "$dir/pulumi-language-python-exec.tmp" && chmod 755 "$dir/pulumi-language-python-exec.tmp"
    mv "$dir/pulumi-language-python-exec.tmp" "$dir/pulumi-language-python-exec"
  fi
  link_tool pulumi-language-python "$bin"
  link_tool pulumi-language-python-exec "$dir/pulumi-language-python-exec"
  # The Python SDK generator (scripts/gen-python-sdk): the CLI's pkg/sdk, so the packages come from
  # the CLI build's cache (seconds once the CLI is built).
  gomod=$(pulumi_pkg_gomod consul-mesh-gen-python)
  bin=$(go_build consul-mesh-gen-python . "$gomod" "" "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gen-python-sdk")
  link_tool consul-mesh-gen-python "$bin"
  # The Python SDK from PyPI in a venv of its own (the host runs the `python3` it finds first on PATH:
  # programs run with this venv's bin first, see --print-python-venv), with `wheel`, so that a
  # generated SDK installs with `pip install --no-build-isolation` (nothing else fetched).
  local want="pulumi==$PYTHON_SDK_VERSION wheel==$PYTHON_WHEEL_VERSION"
  if [[ "$(cat "$PYTHON_VENV/.complete" 2>/dev/null)" != "$want" ]]; then
    log "creating a venv with $want (PyPI)"
    # Made in place (a venv's scripts name their own path); the stamp marks a finished one.
    rm -rf "$PYTHON_VENV"
    # shellcheck disable=SC2086 # (two requirements, split on purpose)
    python3 -m venv "$PYTHON_VENV" \
      && "$PYTHON_VENV/bin/pip" install --quiet --disable-pip-version-check $want \
      || die "installing $want into $PYTHON_VENV failed"
    echo "$want" >"$PYTHON_VENV/.complete"
  fi
}

setup_dynamic_provider_shim() {
  # The engine starts this plugin for dynamic resources; it runs the @pulumi/pulumi that the
  # program itself resolves (the same SDK instance that serialised the provider).
  local target="$BIN_DIR/pulumi-resource-pulumi-nodejs"
  rm -f "$target"
  cat >"$target" <<'EOF'
#!/bin/sh
# The program's own copy when the plugin starts in the program's directory (the usual case: one node
# start instead of two), else whatever node resolves from here.
script=node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js
if [ ! -f "$script" ]; then
  script=$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))") || exit 1
fi
exec node "$script" "$@"
EOF
  chmod +x "$target"
}

setup_node() {
  local found v
  if found=$(which_outside_bin node); then
    v=$("$found" --version 2>/dev/null | sed 's/^v//')
    if version_ge "${v:-0}" "$MIN_NODE"; then link_tool node "$found"; return; fi
    log "node ${v:-?} at $found is older than $MIN_NODE; using Node.js $NODE_VERSION"
  fi
  local dir="$CACHE_ROOT/node-v$NODE_VERSION-linux-x64"
  install_node "$NODE_VERSION" "$dir"
  link_tool node "$dir/bin/node"
}

started=$SECONDS
setup_node
if $only_node; then exit 0; fi
setup_consul
setup_pulumi
setup_pulumi_yaml
if $with_python; then setup_python; fi
setup_dynamic_provider_shim
echo "node $("$BIN_DIR/node" --version)" >&2
"$BIN_DIR/consul" version | sed -n 1p >&2
echo "pulumi $("$BIN_DIR/pulumi" version)" >&2
log "tools ready in $BIN_DIR ($((SECONDS - started))s)"
