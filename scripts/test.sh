#!/usr/bin/env bash
# Runs the whole test suite: unit tests, the hub over HTTP, and real gx processes over loopback
# (including the quickstart script).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"
