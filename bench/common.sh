# Sourced first by the repeated benchmark commands (bench/cdc.sh,
# bench/presence.sh, bench/authorization.sh, bench/cluster.sh) with the
# command's NAME:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/common.sh" NAME
#
# It moves to the checkout's root and sets what every one of them has: ROOT,
# RUNS (3), OUT (build/bench-results/NAME-<time>), REPORT (docs/bench/NAME.md),
# SECRET, BENCH, SERVER, log() and die().

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH_NAME=$1
RUNS=${RUNS:-3}
OUT=${OUT:-$ROOT/build/bench-results/$BENCH_NAME-$(date -u +%Y%m%dT%H%M%SZ)}
REPORT=${REPORT:-$ROOT/docs/bench/$BENCH_NAME.md}
SECRET=bench-secret-at-least-32-bytes-long!!
BENCH=$ROOT/build/bench/realtime-bench
SERVER=$ROOT/build/server/realtime

log() { echo "$BENCH_NAME: $*" >&2; }
die() { log "error: $*"; exit 1; }

# build_and_make_out: builds with scripts/ (unless SKIP_BUILD is set), raises
# the open-files limit to the hard one and creates OUT.
build_and_make_out() {
  if [ -z "${SKIP_BUILD:-}" ]; then
    bash scripts/setup.sh
    bash scripts/build.sh
  fi
  ulimit -n "$(ulimit -Hn)"
  mkdir -p "$OUT"
  log "results in $OUT"
}

# write_run_txt [LINE...]: OUT/run.txt, which the report quotes: the commit,
# the start, the LINEs (key=value), the machine.
write_run_txt() {
  {
    echo "commit=$(git -C "$ROOT" rev-parse --short HEAD)"
    echo "started=$(date -u '+%Y-%m-%d %H:%M UTC')"
    [ $# -eq 0 ] || printf '%s\n' "$@"
    echo "machine=$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), Linux $(uname -r)"
  } >"$OUT/run.txt"
}
