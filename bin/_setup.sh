# Shared by bin/run and bin/test; source it, do not run it.
#
# Finds a Python 3.12+, keeps .venv installed from pyproject.toml (reinstalling
# only when pyproject.toml changed), and writes a development .env when there
# is none. Afterwards $ROOT is the repository and $VENV_PYTHON its Python.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
VENV_PYTHON="$VENV/bin/python"
STAMP="$VENV/.parallax-installed"
cd "$ROOT"

say() { printf '%s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 1
}

# True when "$1" runs and is Python 3.12 or newer.
python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

# Prints the path of a suitable interpreter, in this order: $PYTHON, the version
# named in .python-version from pyenv, then python3.13, python3.12, python3.
find_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        python_ok "$PYTHON" && command -v "$PYTHON"
        return
    fi
    local wanted="" candidate
    [[ -f .python-version ]] && wanted="$(head -n 1 .python-version | tr -d '[:space:]')"
    if [[ -n "$wanted" ]]; then
        local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
        # Newest installed patch release first (3.13 matches 3.13.0, 3.13.2, ...).
        while read -r candidate; do
            if [[ -n "$candidate" ]] && python_ok "$candidate"; then
                echo "$candidate"
                return
            fi
        done < <(ls -d "$pyenv_root/versions/$wanted"*/bin/python 2>/dev/null | sort -rV)
        if command -v pyenv >/dev/null 2>&1; then
            candidate="$(PYENV_VERSION="$wanted" pyenv which python 2>/dev/null || true)"
            if [[ -n "$candidate" ]] && python_ok "$candidate"; then
                echo "$candidate"
                return
            fi
        fi
    fi
    for candidate in python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
            command -v "$candidate"
            return
        fi
    done
    return 1
}

ensure_venv() {
    if [[ -x "$VENV_PYTHON" ]] && python_ok "$VENV_PYTHON"; then
        return
    fi
    local python
    if [[ -n "${PYTHON:-}" ]] && ! python_ok "$PYTHON"; then
        die "PYTHON=$PYTHON is not a working Python 3.12 or newer."
    fi
    if ! python="$(find_python)"; then
        say "error: Parallax needs Python 3.12 or newer, and none was found."
        say "  Looked for: \$PYTHON, Python $(cat .python-version 2>/dev/null || echo '?') from pyenv"
        say "  (.python-version), then python3.13, python3.12 and python3 on PATH."
        say "  Install one, for example 'pyenv install 3.13' or your system's python3.13"
        say "  package (with its venv module), or point PYTHON at it: PYTHON=/path/to/python3.13 $0"
        exit 1
    fi
    if [[ -e "$VENV" ]]; then
        say "Recreating .venv: its Python is missing, broken or older than 3.12."
        rm -rf "$VENV"
    fi
    say "Creating .venv with $python ($("$python" --version 2>&1))."
    "$python" -m venv "$VENV" ||
        die "could not create .venv with $python; install its venv module (Debian: apt-get install python3-venv)."
}

pyproject_hash() {
    "$VENV_PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' pyproject.toml
}

# Installs the project with its test extra, but only when pyproject.toml changed
# since the last successful install (its hash is kept in $STAMP).
ensure_installed() {
    local hash
    hash="$(pyproject_hash)"
    if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$hash" ]]; then
        return
    fi
    say "Installing Parallax and its dependencies into .venv (pyproject.toml changed or first run)."
    "$VENV_PYTHON" -m pip install --quiet --disable-pip-version-check -e '.[test]' ||
        die "pip install failed; see the messages above."
    echo "$hash" >"$STAMP"
}

# A development .env: DEBUG on and a random secret key. Never overwrites one.
ensure_dotenv() {
    [[ -e .env ]] && return
    say "Writing a development .env (DEBUG=true, random SECRET_KEY)."
    (
        umask 077
        "$VENV_PYTHON" - >.env <<'PY'
import secrets

print("# Development settings written by bin/run or bin/test. Never use in production.")
print("DEBUG=true")
print(f"SECRET_KEY={secrets.token_urlsafe(50)}")
PY
    )
}

ensure_venv
ensure_installed
ensure_dotenv
# The default SQLite database lives here; SQLite creates the file, not the folder.
mkdir -p var
