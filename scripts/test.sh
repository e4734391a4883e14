#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite.
# Extra arguments go to ctest (for example: -L unit, -R pg_cluster).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

main() {
  bash "$ROOT/scripts/setup.sh"
  bash "$ROOT/scripts/build.sh"
  exec ctest --test-dir "$ROOT/build" --output-on-failure -j2 --timeout 600 "$@"
}

main "$@"
