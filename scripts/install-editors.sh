#!/usr/bin/env bash
# Installs the real editors that tests/editors/ drives end to end: Neovim, Emacs with eglot,
# Vim with ALE, and what VS Code (code-server) in headless Chromium needs. Debian packages;
# idempotent: when everything is installed it changes nothing and asks no network.
# A package that cannot be installed stops here with apt's message: the editor tests never skip.
set -euo pipefail

PACKAGES=(
  neovim             # tests/editors/test_neovim.py
  emacs-nox          # tests/editors/test_emacs.py
  elpa-eglot
  vim                # tests/editors/test_vim.py
  vim-ale
  chromium           # tests/editors/test_vscode_e2e.py drives code-server in it
  ripgrep            # code-server's @vscode/ripgrep, seeded from Debian's binary (no GitHub download)
  libkrb5-dev        # code-server's kerberos module compiles against it
  g++ make python3   # node-gyp, for code-server's native modules
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "install-editors: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  sudo="sudo"
fi
echo "install-editors: installing ${missing[*]}" >&2
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
