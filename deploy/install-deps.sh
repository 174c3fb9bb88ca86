#!/usr/bin/env bash
# Installs everything a fresh Debian 12 machine needs to build, test and benchmark CodeGraph:
# the apt packages and the pinned tree-sitter grammars (npm ci from the committed lock file).
# Idempotent: packages already present are not reinstalled, and npm runs only when the lock
# file changed since the last successful install. Usage: deploy/install-deps.sh [--no-npm]
set -euo pipefail
cd "$(dirname "$0")/.."

# Build toolchain and libraries (clang and its runtimes: the fuzzers and sanitizers).
build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libboost-program-options1.81-dev libboost-system1.81-dev
  libssl-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  librocksdb-dev libfaiss-dev libopenblas0-pthread liblapack-dev
  libtree-sitter-dev libcaf-dev libtomlplusplus-dev libcli11-dev libmimalloc-dev libgit2-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev libhnswlib-dev
  clang libclang-rt-14-dev clang-format-14
)
# Node.js: Debian's nodejs + npm, unless a Node.js with its own npm (e.g. nodesource) is there.
command -v node >/dev/null 2>&1 || build_pkgs+=(nodejs)
command -v npm >/dev/null 2>&1 || build_pkgs+=(npm)
# Test oracles, real-code corpora (tests use slices, bench/ the whole trees) and a real
# browser for the web pages (headless Chromium driven over the DevTools protocol).
corpus_pkgs=(
  python3 universal-ctags unzip wrk nginx-light prometheus
  golang-1.19-src rust-src openjdk-17-source gnulib
  chromium
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${build_pkgs[@]}" "${corpus_pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${#missing[@]} apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: apt packages already installed"
fi

# Pinned grammars (and later front-end packages) from the committed lock file.
if [ "${1:-}" != "--no-npm" ]; then
  stamp=node_modules/.codegraph-lock.sha256
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "install-deps: node_modules up to date"
  else
    echo "install-deps: npm ci --ignore-scripts"
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
fi
