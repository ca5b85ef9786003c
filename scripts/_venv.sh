# Sourced by scripts/run and scripts/test: makes .venv and installs the project into it when
# pyproject.toml is newer than the last install. EXTRAS selects optional dependencies (e.g. "[dev]").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
stamp=".venv/.installed${EXTRAS:-}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --editable ".${EXTRAS:-}"
  touch "$stamp"
fi
