#!/usr/bin/env bash
# Several hubs without a shared disk, behind a real load balancer: two `gx hub serve` processes on one
# PostgreSQL database (payloads in the database) behind nginx configured with
# Deploy/nginx/gongxiang-proxy.conf. Two nights run through nginx while one hub at a time is killed with
# SIGKILL mid-push, mid-pull and while the consumer follows; each night must complete through the other hub
# with nothing lost or duplicated against a calm single-hub reference. Prints `hub kills K, lost L, duplicated D`.
#
#   scripts/balancer.sh [--rows N] [--seed S] [--payloads postgres|shared-files] [--keep DIR]
#
# Starts a throwaway PostgreSQL unless GX_TEST_POSTGRES_URL is set; nginx comes from Debian (scripts/setup.sh)
# and runs in the scratch directory as this user. scripts/test.sh runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${GX_BIN:-}" ]; then
  scripts/setup.sh >&2
  swift build --product gx >&2
  GX_BIN="$(swift build --show-bin-path)/gx"
fi

started_postgres=""
if [ -z "${GX_TEST_POSTGRES_URL:-}" ]; then
  eval "$(scripts/test-postgres.sh start)"
  started_postgres="$GX_TEST_POSTGRES_DIR"
  trap 'scripts/test-postgres.sh stop "$started_postgres" >/dev/null 2>&1 || true' EXIT
fi

python3 scripts/balancer.py --gx "$GX_BIN" "$@"
