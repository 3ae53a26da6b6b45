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
    ensure_node_modules
    compile_translations
}

# Message catalogues (English; the pages' source language is Chinese), compiled when changed.
compile_translations() {
    local po mo
    for po in inventory/translations/*/LC_MESSAGES/messages.po; do
        [ -f "$po" ] || continue
        mo="${po%.po}.mo"
        if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
            "$VENV/bin/pybabel" compile -i "$po" -o "$mo" >/dev/null
        fi
    done
}

# Front-end packages from the npm registry (package.json), served under /vendor/.
ensure_node_modules() {
    if ! command -v npm >/dev/null 2>&1; then
        echo "npm not found: the API docs page needs swagger-ui-dist from the npm registry" >&2
        return 0
    fi
    if [ ! -d node_modules ] || [ package.json -nt node_modules ] || [ package-lock.json -nt node_modules ]; then
        echo "Installing front-end packages (npm ci)" >&2
        npm ci --no-audit --no-fund --loglevel=error
        touch node_modules
    fi
}

# Debian packages the browser tests and label PDFs need: Chromium (driven by Playwright) and a
# TrueType CJK font (embedded in label sheets, and for Chinese text in screenshots).
ensure_system_packages() {
    local missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
            echo "Missing Debian packages: ${missing[*]} (install them with apt-get)" >&2
            return 0
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "Missing packages: ${missing[*]} (no apt-get here; install them by hand)" >&2
        return 0
    fi
    echo "Installing Debian packages: ${missing[*]}" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
        || { $sudo apt-get update -q >/dev/null && \
             $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
}
