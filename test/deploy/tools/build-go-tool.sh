#!/usr/bin/env bash
# Builds a Go program once and caches the binary, keyed by what decides its contents; prints the
# binary's path on stdout and nothing else there. Two forms:
#   build-go-tool.sh install <module/cmd/path>@<version> <name>   a released tool (helm, promtool)
#   build-go-tool.sh local <dir> <name>                           a module of this repository (validators)
# Used by the deploy suites (test/deploy) to validate artifacts with real tools; never committed
# binaries, never fetched source.
set -euo pipefail
export PATH="$PATH:/usr/local/go/bin"
fail() { printf 'ssohub go tool: %s\n' "$*" >&2; exit 1; }
command -v go >/dev/null 2>&1 || fail "no Go toolchain on PATH (install Go >= 1.26: the Kubernetes API modules need it; /usr/local/go/bin is searched too)."
cache_root=${SSOHUB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ssohub}/tools
mode=${1:-}; target=${2:-}; name=${3:-}
[ -n "$mode" ] && [ -n "$target" ] && [ -n "$name" ] || fail "usage: build-go-tool.sh install <pkg>@<version> <name> | local <dir> <name>"
case "$mode" in
  install)
    key=$(printf '%s' "$target" | sha256sum | cut -c1-16)
    out="$cache_root/$name-$key/$name"
    [ -x "$out" ] && { printf '%s\n' "$out"; exit 0; }
    mkdir -p "$(dirname "$out")"
    log="$(dirname "$out")/build.log"
    printf 'ssohub: building %s (%s) from the Go module proxy, first time only...\n' "$name" "$target" >&2
    if ! GOBIN="$(dirname "$out")/bin.tmp.$$" CGO_ENABLED=0 go install -trimpath "$target" >"$log" 2>&1; then
      tail -n 30 "$log" >&2; fail "go install $target failed (log: $log)"
    fi
    # The one binary go install made: named after the module's last path element, which for a
    # /vN module root (oauth2-proxy/v7) is the element before it, not "v7".
    mv "$(dirname "$out")/bin.tmp.$$"/* "$out"
    rm -rf "$(dirname "$out")/bin.tmp.$$"
    ;;
  local)
    dir=$(cd "$target" && pwd)
    key=$(cat "$dir/go.mod" "$dir/go.sum" $(find "$dir" -name '*.go' | sort) | sha256sum | cut -c1-16)
    out="$cache_root/$name-$key/$name"
    [ -x "$out" ] && { printf '%s\n' "$out"; exit 0; }
    mkdir -p "$(dirname "$out")"
    log="$(dirname "$out")/build.log"
    printf 'ssohub: building %s from %s, first time only...\n' "$name" "$dir" >&2
    if ! (cd "$dir" && CGO_ENABLED=0 go build -trimpath -o "$out.tmp.$$" .) >"$log" 2>&1; then
      tail -n 30 "$log" >&2; rm -f "$out.tmp.$$"; fail "go build in $dir failed (log: $log)"
    fi
    mv "$out.tmp.$$" "$out"
    ;;
  *) fail "unknown mode $mode" ;;
esac
printf '%s\n' "$out"
