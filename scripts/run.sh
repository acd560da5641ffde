#!/usr/bin/env bash
# One entry point for a fresh Debian/Ubuntu machine: installs what k39docs needs, then
#   bash scripts/run.sh demo   renders fixtures/sample.yaml into output/<dossier id>/
#   bash scripts/run.sh test   checks the code (ruff lint and format, mypy), then runs the whole
#                              test suite
# System packages (LibreOffice, fonts, poppler, SoftHSM2) are installed with apt only when
# missing; the Python package goes into .venv/ (editable, with its test extras).
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: Debian's browser, driven by Playwright in tests/test_web.py (the clerks' web page);
# where apt has no such package (Ubuntu ships a snap stub under another name) it is left out and
# those tests skip, saying why
APT_PACKAGES=(libreoffice-writer-nogui libreoffice-calc-nogui python3-uno fonts-liberation2 poppler-utils softhsm2 python3-venv chromium)

need_apt() {
  command -v soffice >/dev/null || return 0
  [ -e /usr/lib/libreoffice/program/libsclo.so ] || return 0   # Calc: the clerk's workbook as PDF
  command -v pdftoppm >/dev/null || return 0
  command -v pdfsig >/dev/null || return 0
  command -v softhsm2-util >/dev/null || return 0
  [ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || return 0
  /usr/bin/python3 -c 'import uno' 2>/dev/null || return 0   # warm LibreOffice workers
  # the browser of the web page's tests, where apt offers it
  [ -x /usr/bin/chromium ] || ! apt-cache show chromium >/dev/null 2>&1 || return 0
  return 1
}

install_system() {
  if need_apt; then
    if ! command -v apt-get >/dev/null; then
      echo "apt-get not found: install LibreOffice, Liberation fonts, poppler-utils and SoftHSM2 yourself." >&2
      exit 2
    fi
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing ${APT_PACKAGES[*]} with apt…"
    $sudo apt-get update -qq
    local packages=() name
    for name in "${APT_PACKAGES[@]}"; do
      if [ "$name" = chromium ] && ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        echo "apt has no chromium package here: the browser tests (tests/test_web.py) will skip." >&2
        continue
      fi
      packages+=("$name")
    done
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
}

install_python() {
  local py="${PYTHON:-python3}"
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "k39docs needs Python ≥ 3.11 ($py is $("$py" --version 2>&1))." >&2; exit 2; }
  [ -x .venv/bin/python ] || "$py" -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".[test]"
}

case "${1:-}" in
  demo)
    install_system; install_python
    shift
    .venv/bin/k39docs render fixtures/sample.yaml "$@"
    ;;
  test)
    install_system; install_python
    shift
    echo "ruff check, ruff format --check, mypy…"
    .venv/bin/ruff check --quiet .
    .venv/bin/ruff format --check --quiet .
    .venv/bin/mypy
    .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash scripts/run.sh demo|test [args…]" >&2
    exit 2
    ;;
esac
