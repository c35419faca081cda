#!/usr/bin/env bash
# Installs code-server 4.100.3 and playwright-core into tests/editors/vscode/node_modules from the
# committed lockfile. code-server's install scripts reach for GitHub and for prebuilt native
# binaries; ../shared/design/EDITORS-HERE.md (beside the repository) explains the settings below
# that make it install from the npm registry alone. Idempotent: a second run with an unchanged
# lockfile does nothing and asks no network.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

fail() { echo "install.sh: $*" >&2; exit 1; }

for program in node npm rg; do
  command -v "$program" >/dev/null ||
    fail "$program is missing: apt-get install -y nodejs npm ripgrep (Node 20 or later)"
done
[ -e /usr/include/node/node.h ] ||
  fail "Node headers missing at /usr/include/node: install Node 20 with its headers (NodeSource nodejs, or Debian libnode-dev); native modules compile against them"
command -v krb5-config >/dev/null || [ -e /usr/include/gssapi/gssapi.h ] ||
  fail "Kerberos headers missing: apt-get install -y libkrb5-dev (code-server's kerberos module compiles from source)"

stamp="node_modules/.install-stamp"
lock_sum="$(sha256sum package-lock.json package.json | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ] && [ -x node_modules/.bin/code-server ]; then
  echo "install.sh: code-server and playwright-core already installed"
  exit 0
fi

# 1. @vscode/ripgrep (1.15.11 in code-server 4.100.3) downloads rg from GitHub unless its cache
#    already holds the archive: seed it with Debian's rg (x86_64, the archive name says so).
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_archive="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$rg_archive" ]; then
  mkdir -p "$rg_cache"
  tar czf "$rg_archive" -C "$(dirname "$(command -v rg)")" rg
fi

# 2. node-gyp compiles argon2, kerberos, ... against this machine's Node headers instead of
#    downloading them. 3. Running as root, postinstall scripts run `npx node-gyp` unprompted.
export npm_config_nodedir=/usr
export npm_config_unsafe_perm=true
export npm_config_yes=true

npm ci --no-audit --no-fund ||
  fail "npm ci failed (see above); what it needs is in ../shared/design/EDITORS-HERE.md"

[ -x node_modules/.bin/code-server ] || fail "npm ci finished but node_modules/.bin/code-server is missing"
node_modules/.bin/code-server --version >/dev/null || fail "the installed code-server does not start"
echo "$lock_sum" > "$stamp"
echo "install.sh: installed $(node_modules/.bin/code-server --version | head -1)"
