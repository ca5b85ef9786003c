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
  # uv installs what pyproject.toml asks for in seconds, where pip took a minute and a half on a fresh
  # clone (uv fetches and unpacks in parallel); pip installs uv itself, from the same package index.
  .venv/bin/python -m pip install --quiet 'uv>=0.5'
  # --compile-bytecode: every process (each test worker, each server a test starts, `ictbot` itself)
  # would otherwise compile the libraries from source on import, about 3 s each where
  # PYTHONDONTWRITEBYTECODE is set; pip compiles at install, uv only when asked.
  .venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python --editable ".${EXTRAS:-}"
  touch "$stamp"
fi
