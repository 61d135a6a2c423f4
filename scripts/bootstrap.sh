# Sourced by the scripts beside it, with profile=runtime or profile=dev: make ./.venv and
# install into it the pinned dependencies of requirements/$profile.txt and the project.
# Reinstalls only when pyproject.toml or that lock file changes, so later runs start at once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3}"
lock="$root/requirements/${profile:?}.txt"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "quicktakes-etl needs Python 3.11 or newer as '$python' (set PYTHON=...)" >&2
    exit 2
fi
stamp="$venv/.installed-$profile-$(cat "$root/pyproject.toml" "$lock" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "Setting up $venv with $profile dependencies (first run only, about a minute)..." >&2
    [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
    # Errors only: with every version and hash pinned, pip's warnings are about the machine's
    # own pip configuration (find-links folders that are not there), and setuptools' note
    # that folders named like the packages shadow an editable install (here they are it).
    pip=("$venv/bin/python" -m pip install -qq --disable-pip-version-check)
    "${pip[@]}" --require-hashes --requirement "$lock"
    "${pip[@]}" --no-deps --editable "$root"
    rm -f "$venv"/.installed-"$profile"-*
    touch "$stamp"
fi
