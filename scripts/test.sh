#!/usr/bin/env bash
# Runs the whole test suite: unit tests, the hub over HTTP on SQLite and on a throwaway PostgreSQL 15
# (started here, stopped afterwards), real gx processes over loopback (including the quickstart script), and
# the console in headless Chromium against a real hub (screenshots in .build/console-screenshots), the API
# against its own description with schemathesis per role (scripts/api-check.sh), and a
# short random-crash campaign on each hub store (scripts/chaos.sh; the README reports long ones), and two
# hubs on one PostgreSQL behind nginx, each killed in turn mid-night (scripts/balancer.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
scripts/check-deploy.sh "$(swift build --show-bin-path)/gx"
eval "$(scripts/test-postgres.sh start)"
# Whatever the tests leave in the temporary directory (hub stores, agent states, copied worlds) goes under
# one folder, removed with the server afterwards.
scratch=$(mktemp -d /tmp/gx-tests.XXXXXX)
trap 'scripts/test-postgres.sh stop "$GX_TEST_POSTGRES_DIR"; rm -rf "$scratch"' EXIT
echo "test.sh: PostgreSQL 15 for tests at $GX_TEST_POSTGRES_URL (TLS CA: $GX_TEST_POSTGRES_CA); temporary files in $scratch" >&2
# The test binary directly, to bound how many tests run at once: unbounded, a few hundred tests each holding
# stores and sockets took the process past ~1 300 descriptors, where Foundation's Process.run crashes
# (a bad read while it lists the descriptors to close). Arguments (e.g. --filter NAME) go to the binary.
TMPDIR=$scratch "$(swift build --show-bin-path)/GongxiangPackageTests.xctest" --testing-library swift-testing \
  --experimental-maximum-parallelization-width 16 "$@"
TMPDIR=$scratch python3 Tests/Browser/console_test.py --gx "$(swift build --show-bin-path)/gx" --out .build/console-screenshots
TMPDIR=$scratch GX_BIN="$(swift build --show-bin-path)/gx" scripts/api-check.sh || { echo "test.sh: FAILED: the API differs from its description (scripts/api-check.sh above)" >&2; exit 1; }
for store in sqlite postgres; do
  TMPDIR=$scratch GX_BIN="$(swift build --show-bin-path)/gx" scripts/chaos.sh --rows 5000 --kills 8 --seed 20261204 --store $store
done
TMPDIR=$scratch GX_BIN="$(swift build --show-bin-path)/gx" scripts/balancer.sh --rows 20000 --seed 20261204
