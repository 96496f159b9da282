#!/usr/bin/env bash
# Browser tests against the release build, on a fresh data directory: the server's first start writes and
# ingests the demo archive, exactly as `make run` does on a new machine.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf .data .auth test-results
status=0
npx playwright test "$@" || status=$?
# One plain closing line for CI: "e2e: N passed, N failed".
node -e '
  const s = require("./test-results/results.json").stats;
  console.log(`e2e: ${s.expected + s.flaky} passed, ${s.unexpected} failed` + (s.skipped ? `, ${s.skipped} skipped` : ""));
' || true
exit "$status"
