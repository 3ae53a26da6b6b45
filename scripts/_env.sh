# Shared set-up for scripts/serve and scripts/test: a project virtualenv with the package installed.
# Sourced, not run. Re-installs only when setup.cfg changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
VENV="$ROOT/.venv"

ensure_venv() {
    local extras="$1"
    if [ ! -x "$VENV/bin/python" ]; then
        echo "Creating virtualenv in .venv" >&2
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    local stamp="$VENV/.installed-$extras"
    if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        echo "Installing the project ($extras)" >&2
        if [ "$extras" = "runtime" ]; then
            "$VENV/bin/python" -m pip install --quiet -e .
        else
            "$VENV/bin/python" -m pip install --quiet -e ".[$extras]"
        fi
        touch "$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}
