#!/usr/bin/env bash
# Installs the npm packages, builds the app and serves it on http://127.0.0.1:5173 (the demo
# clip and shipped weights are in the repository; nothing is downloaded at run time).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npx vite build --logLevel warn
echo "egosound: open http://127.0.0.1:5173 and press 'Open the demo clip'"
exec npx vite preview --host 127.0.0.1 --port 5173 --strictPort
