#!/usr/bin/env bash
# Builds Ory Kratos from its Go module (see main.go) and caches the binary, keyed by everything
# that decides its contents: the pinned module graph, the wrapper and the build flags. A fresh
# clone on the same machine reuses the cached binary; changing the pin rebuilds it.
# Prints the binary's path on stdout and nothing else there.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=v1.3.1
tags=sqlite,json1
ldflags="-X github.com/ory/kratos/driver/config.Version=${version} -X github.com/ory/kratos/driver/config.Commit=ssohub-${tags} -X github.com/ory/kratos/driver/config.Date=2024-09-26T00:00:00Z"

fail() { printf 'ssohub kratos build: %s\n' "$*" >&2; exit 1; }

if [ -n "${SSOHUB_KRATOS_BIN:-}" ]; then
  [ -x "$SSOHUB_KRATOS_BIN" ] || fail "SSOHUB_KRATOS_BIN=$SSOHUB_KRATOS_BIN is not an executable file. Unset it to build Kratos from source."
  printf '%s\n' "$SSOHUB_KRATOS_BIN"; exit 0
fi

key=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" <(printf '%s|%s' "$tags" "$ldflags") | sha256sum | cut -c1-16)
cache_root=${SSOHUB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ssohub}
out="$cache_root/kratos/${version}-${key}/kratos"

if [ -x "$out" ]; then printf '%s\n' "$out"; exit 0; fi

command -v go >/dev/null 2>&1 || fail "no Go toolchain on PATH. Install Go >= 1.23 (https://go.dev/dl/ or your distribution's golang package), or point SSOHUB_KRATOS_BIN at a Kratos ${version} binary built with -tags sqlite."
command -v gcc >/dev/null 2>&1 || command -v cc >/dev/null 2>&1 || fail "no C compiler: Kratos' SQLite driver needs cgo. Install gcc (Debian: apt-get install -y gcc)."

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
log="$(dirname "$out")/build.log"
printf 'ssohub: building Ory Kratos %s from its Go module (first time only; several minutes)...\n' "$version" >&2
start=$(date +%s)
if ! (cd "$here" && CGO_ENABLED=1 CGO_CPPFLAGS="-DSQLITE_DEFAULT_FILE_PERMISSIONS=0600" GOFLAGS=-mod=mod \
      go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$tmp" .) >"$log" 2>&1; then
  rm -f "$tmp"
  tail -n 30 "$log" >&2
  fail "building Kratos failed (full log: $log). Check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)) and that gcc works."
fi
mv "$tmp" "$out"
printf 'ssohub: built Kratos in %ss, %s bytes: %s\n' "$(( $(date +%s) - start ))" "$(stat -c %s "$out")" "$out" >&2
printf '%s\n' "$out"
