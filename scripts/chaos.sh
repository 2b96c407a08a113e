#!/usr/bin/env bash
# Random crashes: a hub, a provider agent and a consumer agent exchange the population register for two
# nights (an initial load, then ~1 % changed, inserted and deleted rows) while, at K moments drawn from the
# seed, one of them is killed with SIGKILL and started again; more nights run until all K kills are made.
# The same nights on an exchange nobody kills are the reference. Prints `kills K, lost L, duplicated D`.
#
#   scripts/chaos.sh [--rows N] [--kills K] [--seed S] [--store sqlite|postgres] [--keep DIR]
#
# Exit status 0 only if nothing was lost or duplicated, every batch was receipted once, and the audit chain
# verifies. --store postgres starts a throwaway PostgreSQL unless GX_TEST_POSTGRES_URL is set.
# scripts/test.sh runs a short campaign on each store; the README reports long ones.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${GX_BIN:-}" ]; then
  scripts/setup.sh >&2
  swift build --product gx >&2
  GX_BIN="$(swift build --show-bin-path)/gx"
fi

started_postgres=""
if [[ " $* " == *" --store postgres "* ]] && [ -z "${GX_TEST_POSTGRES_URL:-}" ]; then
  eval "$(scripts/test-postgres.sh start)"
  started_postgres="$GX_TEST_POSTGRES_DIR"
  trap 'scripts/test-postgres.sh stop "$started_postgres" >/dev/null 2>&1 || true' EXIT
fi

python3 scripts/chaos.py --gx "$GX_BIN" "$@"
