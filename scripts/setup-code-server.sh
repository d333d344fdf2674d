#!/usr/bin/env bash
# Installs code-server 4.99.4 from the npm registry without running its install scripts (they download
# prebuilt binaries from GitHub, unreachable offline), then does by hand what those scripts would do.
# Usage: scripts/setup-code-server.sh [install-dir]   (default: <repo>/.e2e/code-server, gitignored)
set -euo pipefail
version=4.99.4
repo="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:-${THANORA_E2E_DIR:-$repo/.e2e}/code-server}"
cs="$prefix/node_modules/code-server"

if [ -f "$cs/.thanora-setup-done" ]; then
  echo "code-server $version already set up in $cs"
  exit 0
fi
mkdir -p "$prefix"
cd "$prefix"
[ -f package.json ] || echo '{"name":"thanora-e2e-code-server","private":true}' > package.json
echo "== npm install code-server@$version (no scripts)"
npm install --no-audit --no-fund --ignore-scripts "code-server@$version"
echo "== rebuild argon2 (password hashing; native, built with node-gyp; code-server loads it even with --auth none)"
# npm hoists argon2 next to code-server, so the rebuild runs at the install prefix.
npm rebuild argon2

echo "== VS Code server dependencies"
cd "$cs/lib/vscode"
npm install --no-audit --no-fund --omit=dev --ignore-scripts
# @vscode/ripgrep downloads rg in its postinstall; use the system one instead.
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild

echo "== symlinks from postinstall.sh"
# Mirrors code-server's postinstall.sh: node_modules.asar, and the remote-cli / helper scripts.
[ -e node_modules.asar ] || ln -s node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)

echo "== built-in extensions' dependencies"
cd "$cs/lib/vscode/extensions"
npm install --no-audit --no-fund --omit=dev

touch "$cs/.thanora-setup-done"
echo "code-server $version ready: node $cs/out/node/entry.js"
