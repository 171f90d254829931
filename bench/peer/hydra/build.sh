#!/usr/bin/env bash
# Builds Ory Hydra from its Go module (see main.go) for `npm run bench:peer`, the way
# deploy/kratos/build.sh builds Kratos: once, cached outside the checkout, keyed by the pinned
# module graph, the wrapper and the build flags. Prints the binary's path on stdout and nothing
# else there. SSOHUB_HYDRA_BIN skips the build.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=v2.3.0
tags=sqlite,json1
ldflags="-X github.com/ory/hydra/v2/driver/config.Version=${version} -X github.com/ory/hydra/v2/driver/config.Commit=ssohub-${tags} -X github.com/ory/hydra/v2/driver/config.Date=2025-02-04T00:00:00Z"

fail() { printf 'ssohub hydra build: %s\n' "$*" >&2; exit 1; }

if [ -n "${SSOHUB_HYDRA_BIN:-}" ]; then
  [ -x "$SSOHUB_HYDRA_BIN" ] || fail "SSOHUB_HYDRA_BIN=$SSOHUB_HYDRA_BIN is not an executable file. Unset it to build Hydra from source."
  printf '%s\n' "$SSOHUB_HYDRA_BIN"; exit 0
fi

key=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" <(printf '%s|%s' "$tags" "$ldflags") | sha256sum | cut -c1-16)
cache_root=${SSOHUB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ssohub}
out="$cache_root/hydra/${version}-${key}/hydra"

if [ -x "$out" ]; then printf '%s\n' "$out"; exit 0; fi

command -v go >/dev/null 2>&1 || fail "no Go toolchain on PATH. Install Go >= 1.22, or point SSOHUB_HYDRA_BIN at a Hydra ${version} binary."
command -v gcc >/dev/null 2>&1 || command -v cc >/dev/null 2>&1 || fail "no C compiler: Hydra's SQLite driver needs cgo. Install gcc (Debian: apt-get install -y gcc)."

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
log="$(dirname "$out")/build.log"
printf 'ssohub: building Ory Hydra %s from its Go module (first time only; several minutes)...\n' "$version" >&2
start=$(date +%s)
if ! (cd "$here" && CGO_ENABLED=1 GOFLAGS=-mod=mod \
      nice -n 19 go build -trimpath -tags "$tags" -ldflags "$ldflags" -o "$tmp" .) >"$log" 2>&1; then
  rm -f "$tmp"
  tail -n 30 "$log" >&2
  fail "building Hydra failed (full log: $log). Check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)) and that gcc works."
fi
mv "$tmp" "$out"
printf 'ssohub: built Hydra in %ss, %s bytes: %s\n' "$(( $(date +%s) - start ))" "$(stat -c %s "$out")" "$out" >&2
printf '%s\n' "$out"
