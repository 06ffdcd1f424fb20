#!/usr/bin/env bash
# One entry point for developers and CI. Each command sets up what it needs first
# (idempotent, fast when already done):
#   ./dev.sh serve [--port N]   build the site, then serve it on http://127.0.0.1:8000/
#   ./dev.sh test [pytest args] build the site, then run every test (pytest tests)
#   ./dev.sh build              build the site into site/
#   ./dev.sh setup              only set up: .venv (Python 3.12, calc installed with its
#                               `calc` command), npm packages, Chromium
#   ./dev.sh bench              build, then print the browser benchmark table
#   ./dev.sh bundle             write dist/llm-serving-economics.zip: the site for offline
#                               reading; `python3 llm-serving-economics.zip` serves it live
# SITE_URL=https://example.org/llm-serving/ ./dev.sh build   builds for that public base URL
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

log() { printf '[dev.sh] %s\n' "$*" >&2; }

hash_of() { sha256sum "$@" | sha256sum | cut -c1-32; }

find_python312() {
  local candidates=()
  local want
  want="$(cat .python-version 2>/dev/null || echo 3.12.1)"
  local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
  candidates+=("$pyenv_root/versions/$want/bin/python")
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv root 2>/dev/null)/versions/$want/bin/python")
  fi
  for d in "$pyenv_root"/versions/3.12*/bin/python; do candidates+=("$d"); done
  candidates+=("$(command -v python3.12 || true)" "$(command -v python3 || true)")
  for py in "${candidates[@]}"; do
    [ -n "$py" ] && [ -x "$py" ] || continue
    if "$py" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else 1)' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  return 1
}

# Bump when setup_venv installs something new, so existing .venvs are set up again once.
VENV_SETUP_VERSION=2  # 2: calc itself, editable, with its `calc` console script

setup_venv() {
  local stamp=.venv/.dev-requirements.stamp want
  want="$(hash_of requirements-dev.txt pyproject.toml)-v$VENV_SETUP_VERSION"
  if [ -x .venv/bin/python ] && [ -x .venv/bin/calc ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else 1)'; then
    local py
    py="$(find_python312)" || { log "no Python 3.12 found (pyenv 3.12.1 or python3.12)"; exit 1; }
    log "creating .venv with $py"
    rm -rf .venv
    "$py" -m venv .venv
  fi
  log "installing requirements-dev.txt into .venv"
  .venv/bin/python -m pip install --disable-pip-version-check -q -r requirements-dev.txt
  # calc itself, editable (the source stays here): puts the `calc` command in .venv/bin,
  # so `.venv/bin/calc sol --help` works from any folder. Offline: setuptools comes from above.
  log "installing calc (editable) into .venv"
  .venv/bin/python -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp"
}

setup_npm() {
  local stamp=node_modules/.dev-package-lock.stamp want
  want="$(hash_of package.json package-lock.json)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || { log "npm is missing (apt-get install -y nodejs npm)"; exit 1; }
  log "npm ci (pyodide, katex)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
}

setup_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  log "installing Chromium with apt"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

setup() {
  setup_venv
  setup_npm
}

build() {
  .venv/bin/python build.py build "$@"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  setup) setup; setup_chromium ;;
  build) setup; build "$@" ;;
  serve) setup; exec .venv/bin/python build.py serve "$@" ;;
  test)
    setup
    setup_chromium
    build
    SITE_PREBUILT=1 exec .venv/bin/python -m pytest tests "$@"
    ;;
  bundle)
    setup
    exec .venv/bin/python build.py bundle "$@"
    ;;
  bench)
    setup
    setup_chromium
    build
    exec .venv/bin/python bench/bench_site.py --no-build "$@"
    ;;
  *)
    echo "usage: ./dev.sh serve [--port N] | test [pytest args] | build | setup | bench | bundle" >&2
    exit 2
    ;;
esac
