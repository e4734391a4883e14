#!/usr/bin/env bash
# Installs what building, running and testing realtime needs on Debian 12:
# the Debian packages that are missing, and the Node packages of the
# conformance tests. A second run installs nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

PACKAGES=(
  build-essential cmake pkg-config ccache
  libcaf-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libpq-dev libspdlog-dev libfmt-dev libssl-dev libcli11-dev libexpected-dev libre2-dev
  googletest libgtest-dev
  postgresql-15 postgresql-client-15
  util-linux locales iproute2 openssl
)
# Never add libboost-dev or libboost-all-dev: they pull Boost 1.74, which
# conflicts with libboost1.81-dev.

log() { printf 'setup: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_installed() {
  dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qx installed
}

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    is_installed "$p" || printf '%s\n' "$p"
  done
  # A Node.js from another source may already be there; Debian's nodejs
  # would conflict with it.
  if ! command -v node >/dev/null; then
    printf '%s\n' nodejs npm
  fi
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    die "root or sudo is needed to install: $*"
  fi
}

install_packages() {
  local -a apt_opts=(-o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
  log "installing: $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" \
    install -y --no-install-recommends "$@"
}

node_modules_stale() {
  local dir=$1
  [[ -f $dir/package-lock.json ]] || return 1
  [[ ! -d $dir/node_modules || $dir/package-lock.json -nt $dir/node_modules ]]
}

install_node_packages() {
  local dir=$ROOT/tests/conformance
  node_modules_stale "$dir" || return 0
  command -v npm >/dev/null || die "npm is missing (needed for tests/conformance)"
  log "npm ci in tests/conformance"
  (cd "$dir" && timeout 900 npm ci --no-audit --no-fund)
  # npm ci may leave the directory's time untouched; the next run compares it
  # with the lock file.
  touch "$dir/node_modules"
}

# Filter tests compare text under a real locale's collation.
ensure_test_locale() {
  locale -a 2>/dev/null | grep -qix 'en_US.utf8' && return 0
  log "generating the en_US.UTF-8 locale"
  as_root sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen &&
    as_root locale-gen >/dev/null ||
    log "warning: could not generate en_US.UTF-8; a collation test will be skipped"
}

main() {
  local -a missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]})); then
    install_packages "${missing[@]}"
  else
    log "Debian packages: all present"
  fi
  ensure_test_locale
  install_node_packages
}

main "$@"
