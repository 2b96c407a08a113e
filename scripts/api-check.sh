#!/usr/bin/env bash
# Checks the hub's API against the description it serves (/openapi.yaml) with schemathesis: a hub loaded
# like the quickstart (scripts/quickstart.sh, GX_KEEP_SERVING=1), then one run per role's token (admin,
# auditor, a provider agency and its consumer) with the examples, coverage and fuzzing phases under a fixed
# seed. A run fails on any server error, an undocumented status code, a response outside its schema or
# content type, or an undocumented response header. Before them scripts/api-responses.py reads every GET
# route with the loaded identifiers as each role and checks each answer against its schema. Prints one line
# per role and one for the reads, and exits non-zero if anything failed.
# Usage: scripts/api-check.sh [--seed N] [--max-examples N] [--spec FILE]   (GX_BIN: the gx to run; built if
# unset. --spec checks a local description file instead of the served one, to iterate without rebuilding;
# GX_API_CHECK_LOGS=DIR keeps each role's schemathesis output there.)
set -euo pipefail
cd "$(dirname "$0")/.."

SEED=20261204
MAX_EXAMPLES=20
SPEC=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED="$2"; shift 2 ;;
    --max-examples) MAX_EXAMPLES="$2"; shift 2 ;;
    --spec) SPEC="$(realpath "$2")"; shift 2 ;;
    *) echo "api-check: unknown argument $1 (expected --seed N, --max-examples N, --spec FILE)" >&2; exit 2 ;;
  esac
done

SCHEMATHESIS_VERSION=4.32.5
if ! command -v st >/dev/null || [ "$(st --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  echo "api-check: installing schemathesis $SCHEMATHESIS_VERSION (PyPI)" >&2
  python3 -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

if [ -z "${GX_BIN:-}" ]; then
  swift build --product gx >&2
  GX_BIN="$(swift build --show-bin-path)/gx"
fi
export GX_BIN

work=$(mktemp -d "${TMPDIR:-/tmp}/gx-api-check.XXXXXX")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
STATE="$work/state"
QS_PID=""
stop() {
  # The quickstart runs the serving hub as its child and kills it on its own exit.
  if [ -n "$QS_PID" ]; then kill "$QS_PID" 2>/dev/null || true; wait "$QS_PID" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap stop EXIT INT TERM

echo "== api-check: loading a hub like the quickstart (port $PORT)" >&2
GX_STATE="$STATE" GX_PORT="$PORT" GX_KEEP_SERVING=1 GX_ROWS="${GX_ROWS:-200}" \
  scripts/quickstart.sh >"$work/quickstart.log" 2>&1 &
QS_PID=$!
for _ in $(seq 1 600); do
  grep -q "the hub serves at" "$work/quickstart.log" 2>/dev/null && break
  if ! kill -0 "$QS_PID" 2>/dev/null; then
    echo "api-check: the quickstart stopped before the hub served; its output:" >&2
    cat "$work/quickstart.log" >&2
    exit 1
  fi
  sleep 1
done
grep -q "the hub serves at" "$work/quickstart.log" || { echo "api-check: the hub did not serve within 10 minutes" >&2; exit 1; }
HUB="http://127.0.0.1:$PORT"
for _ in $(seq 1 50); do curl -fsS "$HUB/healthz" >/dev/null 2>&1 && break; sleep 0.2; done

# The provider and the consumer of the quickstart's population-register (RK-001) agreements, pull and verification.
PROVIDER=111100000000210552
CONSUMER=11110000000021063W
failed=0
summary=()
# schemathesis mostly invents identifiers; first every GET route is read with the loaded ones, as each role,
# before the runs below suspend, revoke or answer what they find.
set +e
responses=$(python3 scripts/api-responses.py "${SPEC:-$HUB/openapi.yaml}" "$HUB" "$STATE/hub/admin.token" "$STATE/hub/auditor.token" \
  "$STATE/agencies/$PROVIDER.token" "$STATE/agencies/$CONSUMER.token" 2>&1)
rc=$?
set -e
[ "$rc" -eq 0 ] || { failed=1; echo "$responses" >&2; }
summary+=("$(echo "$responses" | tail -1)")
# The admin's run last: it suspends and revokes the agreements it finds, which the agencies' runs need.
for role in consumer provider auditor admin; do
  case "$role" in
    admin) token_file="$STATE/hub/admin.token" ;;
    auditor) token_file="$STATE/hub/auditor.token" ;;
    provider) token_file="$STATE/agencies/$PROVIDER.token" ;;
    consumer) token_file="$STATE/agencies/$CONSUMER.token" ;;
  esac
  # A long poll (wait=S on the two listing routes) rightly holds its answer up to 30 s when nothing arrives;
  # schemathesis would spend most of its time there, so wait is pinned to 0 (its parsing has unit tests).
  # Path parameters draw half the time from what the quickstart loaded, so that the checks reach the
  # answers of real agreements, batches, demands and objections, not only 404s (those the role's token lists).
  list_codes() { curl -fsS -H "Authorization: Bearer $(tr -d '\n' <"$token_file")" "$HUB$1" |
    python3 -c "import json, sys; print(json.dumps([$2 for x in json.load(sys.stdin)] or ['none'], ensure_ascii=False))"; }
  cat >"$work/schemathesis-$role.toml" <<TOML
[parameters]
"query.wait" = 0
[dictionaries.agreements]
values = $(list_codes /v1/agreements "x['terms']['id']")
[dictionaries.resources]
values = $(list_codes /v1/catalogue "x['resource_code']")
[dictionaries.agencies]
values = $(list_codes /v1/agencies "x['code']")
[dictionaries.demands]
values = $(list_codes /v1/demands "x['demand']['id']")
[dictionaries.objections]
values = $(list_codes /v1/objections "x['objection']['id']")
[dictionaries.sequences]
values = [1, 2, 3]
[[operations]]
include-path-regex = "^/v1/agreements/[{]id[}]"
parameters = { "path.id" = { dictionary = "agreements", probability = 0.5 }, "path.seq" = { dictionary = "sequences", probability = 0.5 } }
[[operations]]
include-path-regex = "^/v1/(resources|catalogue)/[{]code[}]"
parameters = { "path.code" = { dictionary = "resources", probability = 0.5 } }
[[operations]]
include-path-regex = "^/v1/agencies/[{]code[}]"
parameters = { "path.code" = { dictionary = "agencies", probability = 0.5 } }
[[operations]]
include-path-regex = "^/v1/demands/[{]id[}]"
parameters = { "path.id" = { dictionary = "demands", probability = 0.5 } }
[[operations]]
include-path-regex = "^/v1/objections/[{]id[}]"
parameters = { "path.id" = { dictionary = "objections", probability = 0.5 } }
TOML
  start=$(date +%s)
  set +e
  # From the scratch folder: schemathesis keeps a cache (.schemathesis/) in the directory it runs in.
  (cd "$work" && st --config-file "$work/schemathesis-$role.toml" run "${SPEC:-$HUB/openapi.yaml}" --url "$HUB" \
    -H "Authorization: Bearer $(tr -d '\n' <"$token_file")" \
    --checks not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,response_headers_conformance \
    --phases examples,coverage,fuzzing --seed "$SEED" --max-examples "$MAX_EXAMPLES" \
    --workers 2 --no-color --output-sanitize true --generation-database none \
    >"$work/st-$role.log" 2>&1)
  rc=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  if [ -n "${GX_API_CHECK_LOGS:-}" ]; then mkdir -p "$GX_API_CHECK_LOGS"; cp "$work/st-$role.log" "$GX_API_CHECK_LOGS/"; fi
  # schemathesis ends with "Test cases:" / "446 generated, 0 found 0 unique failures" and "== ... in 8.15s ==".
  result=$(grep -E '^=+ .* in [0-9.]+s =+$' "$work/st-$role.log" | tail -1 | sed -E 's/^=+ //; s/ =+$//' || true)
  cases=$(grep -A1 '^Test cases:' "$work/st-$role.log" | tail -1 | sed -E 's/^ +//' || true)
  if [ "$rc" -ne 0 ]; then
    failed=1
    echo "---- api-check: schemathesis as $role failed (exit $rc); its output:" >&2
    cat "$work/st-$role.log" >&2
  fi
  summary+=("api-check: $role: ${cases:-? test cases}; ${result:-no summary} (${elapsed}s, exit $rc)")
done
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
  echo "api-check: FAILED — the hub's answers differ from its description (see above); the hub's log ends:" >&2
  tail -20 "$STATE/hub/hub.log" >&2 || true
  exit 1
fi
echo "api-check: every role's run passed"
