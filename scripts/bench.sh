#!/usr/bin/env bash
# Runs `gx bench` against a throwaway PostgreSQL 15 (started here, stopped afterwards), from the
# repository root. Arguments go to gx bench: scripts/bench.sh --rows 1000000 --json bench.json
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build -c release --product gx >&2
GX_BIN="$(swift build -c release --show-bin-path)/gx"
eval "$(scripts/test-postgres.sh start)"
trap 'scripts/test-postgres.sh stop "$GX_TEST_POSTGRES_DIR"' EXIT
"$GX_BIN" bench --postgres "$GX_TEST_POSTGRES_URL" "$@"
