#!/usr/bin/env bash
# The one test command (README, `npm test`, .ci/run): installs what tests need, then runs the
# type check, the Node unit tests (vitest) and the browser tests (Playwright in Debian's
# Chromium with WebGPU on SwiftShader), and prints one closing line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-test.sh || { echo "setup failed"; exit 1; }
mkdir -p .cache
rm -f .cache/vitest.json .cache/playwright.json
status=0
steps_failed=0

echo "== typecheck"
npx tsc --noEmit -p tsconfig.json || { status=1; steps_failed=$((steps_failed + 1)); echo "typecheck FAILED"; }

echo "== unit tests (Node)"
npx vitest run --reporter=default --reporter=json --outputFile=.cache/vitest.json || status=1

echo "== browser tests (Chromium, WebGPU)"
PLAYWRIGHT_JSON_OUTPUT_NAME=.cache/playwright.json npx playwright test --reporter=list,json || status=1

node tools/test-summary.mjs .cache/vitest.json .cache/playwright.json "$steps_failed" || status=1
exit $status
