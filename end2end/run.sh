#!/usr/bin/env bash
# Browser tests against the release build, on a fresh data directory: the server's first start writes and
# ingests the demo archive, exactly as `make run` does on a new machine.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf .data
exec npx playwright test "$@"
