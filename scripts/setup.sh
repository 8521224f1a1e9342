#!/usr/bin/env bash
# Prepares a Debian machine to run the app and the tests. Idempotent: each step
# runs only when its result is missing, so a second run takes well under a second.
#
#   scripts/setup.sh system   Debian packages: graphviz (`dot`), chromium, python3-venv.
#   scripts/setup.sh python   .venv (Python >= 3.11) with `pip install -e '.[workbench,dev]'`.
#
# The Makefile calls `python` only when pyproject.toml is newer than the venv's
# stamp file, so this script does not check that itself.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV="${VENV:-.venv}"
EXTRAS="${EXTRAS:-workbench,dev}"

log() { printf 'setup: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    log "missing $*, and this is not a Debian-like system: install them by hand."
    exit 1
  fi
  log "installing Debian packages: $*"
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

find_python() {
  local candidate
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$candidate"
      return
    fi
  done
  log "need Python >= 3.11 (python3.11 or python3 on PATH)."
  exit 1
}

system_packages() {
  local missing=()
  command -v dot >/dev/null 2>&1 || missing+=(graphviz)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # Debian splits venv/ensurepip out of the interpreter; needed only to create .venv.
  if [ ! -x "$VENV/bin/python" ] && ! "$(find_python)" -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=(python3-venv)
  fi
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

python_env() {
  if [ ! -x "$VENV/bin/python" ]; then
    local python
    python="$(find_python)"
    log "creating $VENV with $python"
    "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
  fi
  log "installing slim-workbench[$EXTRAS] (editable) into $VENV"
  "$VENV/bin/python" -m pip install --quiet -e ".[$EXTRAS]"
}

case "${1:-all}" in
  system) system_packages ;;
  python) python_env ;;
  all) system_packages && python_env ;;
  *)
    log "usage: $0 [system|python|all]"
    exit 2
    ;;
esac
