#!/usr/bin/env bash
# Create .venv with Python 3.11 and install the pinned requirements (again only when they change).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=".venv/.deps-$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    # Some machines list local package mirrors that may be absent; pip's notes about them are noise.
    quiet_pip() { .venv/bin/python -m pip install --quiet "$@" 2> >(grep -v "is ignored: it is neither" >&2); }
    quiet_pip --upgrade pip
    quiet_pip -r requirements-dev.txt
    rm -f .venv/.deps-* && touch "$stamp"
fi
