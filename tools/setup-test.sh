#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (root): Debian's chromium (the browser
# the e2e tests drive, with SwiftShader for WebGPU without a GPU), ffmpeg (test media and the
# demo/data generators), and the npm packages. Never downloads a browser build of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "setup: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), $(ffmpeg -version | head -1 | awk '{print $1, $3}'), node $(node --version)"
