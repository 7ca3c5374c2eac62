#!/usr/bin/env bash
# Builds, lints, unit-tests and packages the VS Code extension (editors/vscode) from the npm
# registry only; VS Code itself is never downloaded. Leaves editors/vscode/codeqa-lsp.vsix.
set -euo pipefail
cd "$(dirname "$0")/../editors/vscode"
npm ci --no-audit --no-fund
npm run compile
npm run lint
node --test out/test/*.test.js
npm run package
