# Shared by scripts/setup-tools.sh and scripts/setup-compat.sh (sourced, not run). Needs CACHE_ROOT,
# GO_FALLBACK_VERSION and log/die defined by the caller.
LICENSE_CHECK="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/licenses.js"

# version_ge A B: true when dotted version A >= B
version_ge() { [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | sed -n 1p)" == "$2" ]]; }

ensure_go() {
  if command -v go >/dev/null 2>&1; then
    local v; v=$(go env GOVERSION 2>/dev/null | sed 's/^go//')
    if version_ge "${v:-0}" 1.25.9; then GO=$(command -v go); return; fi
    log "go ${v:-?} on PATH is older than 1.25.9"
  fi
  # The Go toolchain itself is a module on the proxy (golang.org/toolchain), as GOTOOLCHAIN uses it.
  local dir="$CACHE_ROOT/go-$GO_FALLBACK_VERSION"
  if [[ ! -x "$dir/bin/go" ]]; then
    local proxy; proxy=$(printf '%s' "${GOPROXY:-https://proxy.golang.org}" | cut -d, -f1)
    local zip="$CACHE_ROOT/go-$GO_FALLBACK_VERSION.zip" tmp="$CACHE_ROOT/go-$GO_FALLBACK_VERSION.tmp"
    log "downloading Go $GO_FALLBACK_VERSION from the module proxy"
    curl -fL --progress-bar -o "$zip" "$proxy/golang.org/toolchain/@v/v0.0.1-go$GO_FALLBACK_VERSION.linux-amd64.zip"
    rm -rf "$tmp" && mkdir -p "$tmp" && unzip -q "$zip" -d "$tmp"
    mv "$tmp/golang.org/toolchain@v0.0.1-go$GO_FALLBACK_VERSION.linux-amd64" "$dir" && rm -rf "$tmp" "$zip"
    chmod +x "$dir/bin/"* "$dir/pkg/tool/"*/* 2>/dev/null || true
  fi
  GO="$dir/bin/go"
}

# go_build NAME MAINPKG GOMOD_TEXT [LDFLAGS] [SRCDIR]: builds MAINPKG from a throwaway wrapper module
# into the cache, keyed by the wrapper's go.mod and the Go version; prints the binary's path. With
# SRCDIR, its *.go files are the wrapper's own package (MAINPKG "."), and their text is in the key.
go_build() {
  local name=$1 pkg=$2 gomod=$3 ldflags=${4:-} srcdir=${5:-}
  ensure_go
  local goversion key dir
  goversion=$("$GO" env GOVERSION)
  # (Without SRCDIR the key is what it always was: cached builds stay valid.)
  key=$({ printf '%s\n%s\n%s\n%s\n' "$gomod" "$goversion" "$ldflags" "$pkg"; [[ -z "$srcdir" ]] || cat "$srcdir"/*.go; } \
    | sha256sum | cut -c1-12)
  dir="$CACHE_ROOT/builds/$name-$key"
  if [[ -x "$dir/$name" ]]; then echo "$dir/$name"; return; fi
  local work="$CACHE_ROOT/builds/.work-$name-$key"
  rm -rf "$work" && mkdir -p "$work"
  printf '%s\n' "$gomod" >"$work/go.mod"
  [[ -z "$srcdir" ]] || cp "$srcdir"/*.go "$work/"
  # Download the build list first (bounded retries: the proxy or the checksum database answers a
  # passing 404/5xx now and then), then refuse the build if any module in it is not open source.
  local attempt
  for attempt in 1 2 3 4; do
    if (cd "$work" && GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 "$GO" list -deps -tags osusergo,grpcnotrace \
      -f '{{with .Module}}{{.Path}} {{.Version}} {{.Dir}}{{end}}' "$pkg" >"$work/build-list.txt" 2>"$work/list.err"); then
      break
    fi
    grep -v '^go: downloading' "$work/list.err" | tail -n 5 >&2
    ((attempt < 4)) || die "downloading the modules of $name failed 4 times (see above)"
    log "downloading the modules of $name failed (attempt $attempt of 4); retrying in $((attempt * 5))s"
    sleep $((attempt * 5))
  done
  node "$LICENSE_CHECK" "$name" <"$work/build-list.txt" || die "$name not built: its build list has a module under a non-open-source licence (named above)"
  log "building $name with $goversion (cold: several minutes, warm: about a minute)"
  local started=$SECONDS count=0 line
  (
    cd "$work"
    GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 "$GO" build -v -trimpath \
      -tags osusergo,grpcnotrace -ldflags "-s -w $ldflags" -o "$work/$name" "$pkg" 2>&1
  ) | while IFS= read -r line; do
    case "$line" in
      "go: downloading "*) count=$((count + 1)); ((count % 100 == 0)) && log "  $name: $count modules downloaded" ;;
      *": "* | *"#"*) printf '%s\n' "$line" >&2 ;;
      *) count=$((count + 1)); ((count % 200 == 0)) && log "  $name: $count packages compiled" ;;
    esac
  done || true
  [[ -x "$work/$name" ]] || die "building $name failed (see the messages above)"
  mkdir -p "$dir" && mv "$work/$name" "$dir/$name" && rm -rf "$work"
  log "built $name in $((SECONDS - started))s"
  echo "$dir/$name"
}

