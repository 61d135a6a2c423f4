# Sourced by the scripts beside it: make ./.venv and install the project into it.
# Reinstalls only when pyproject.toml changes, so later runs start at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "quicktakes-etl needs Python 3.11 or newer as '$python' (set PYTHON=...)" >&2
    exit 2
fi
stamp="$venv/.installed-$(sha256sum "$root/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "Setting up $venv (first run only, about a minute)..." >&2
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[dev]"
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi
