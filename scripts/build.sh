#!/usr/bin/env bash
# Configures build/ once, then builds everything (server, examples, tests).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=$ROOT/build

configure() {
  [[ -f $BUILD_DIR/CMakeCache.txt ]] && return 0
  cmake -S "$ROOT" -B "$BUILD_DIR"
}

main() {
  configure
  cmake --build "$BUILD_DIR" -j"$(nproc)"
}

main "$@"
