# Sourced by scripts/run and scripts/test: make .venv hold exactly what pyproject.toml and
# requirements/constraints.txt pin. Needs only Python 3.11 and a package registry.
set -euo pipefail

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

ensure_venv() {
  local extras="$1"
  local stamp=".venv/.installed-$extras"
  local digest
  digest=$(cat pyproject.toml requirements/constraints.txt | cksum)
  if [ ! -x .venv/bin/python ]; then
    echo "==> Creating .venv"
    "$(find_python)" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "==> Installing dependencies ($extras)"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
      -c requirements/constraints.txt ".[$extras]"
    rm -rf build ./*.egg-info
    echo "$digest" >"$stamp"
  fi
}
