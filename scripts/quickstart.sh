#!/usr/bin/env bash
# Runs the exchange on its embedded default: a hub on SQLite, loaded with the shipped Beijing agencies,
# catalogue and agreements, every agreement signed by both parties and filed, the audit log exported
# and re-verified offline. State goes to ./quickstart-state (or $GX_STATE); it is rebuilt each run.
# With GX_KEEP_SERVING=1 the hub serves again afterwards (until Ctrl-C) so a person can look at the console.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${GX_BIN:-}" ]; then
  scripts/setup.sh
  echo "== building gx" >&2
  swift build --product gx >&2
  GX_BIN="$(swift build --show-bin-path)/gx"
fi
gx() { "$GX_BIN" "$@"; }

STATE="${GX_STATE:-$PWD/quickstart-state}"
rm -rf "$STATE"
mkdir -p "$STATE/hub" "$STATE/agencies"

PORT="${GX_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
export GX_HUB="http://127.0.0.1:$PORT"

echo "== initialising the hub database" >&2
gx hub init --db "$STATE/hub/hub.sqlite" >&2
# The binary itself, not the gx function, goes to the background, so $HUB_PID is the hub and SIGTERM
# reaches it rather than a subshell.
"$GX_BIN" hub serve --db "$STATE/hub/hub.sqlite" --listen "127.0.0.1:$PORT" 2>"$STATE/hub/hub.log" &
HUB_PID=$!
trap 'kill $HUB_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$GX_HUB/healthz" >/dev/null 2>&1 && break
  kill -0 $HUB_PID 2>/dev/null || { cat "$STATE/hub/hub.log" >&2; exit 1; }
  sleep 0.1
done
echo "== hub serving at $GX_HUB (log: $STATE/hub/hub.log)" >&2

ADMIN="$STATE/hub/admin.token"
codes=$(sed -n 's/^code = "\(.*\)"/\1/p' Agreements/agencies.toml)
for code in $codes; do gx keys generate --out "$STATE/agencies" --name "$code" >/dev/null; done

echo "== registering agencies" >&2
gx agencies import --token-file "$ADMIN" --keys "$STATE/agencies" --tokens "$STATE/agencies" Agreements/agencies.toml
gx auditors add auditor --token-file "$ADMIN" --token-out "$STATE/hub/auditor.token"

echo "== publishing the catalogue" >&2
gx catalogue publish --token-file "$ADMIN" Catalogue/*.toml

echo "== agreements: import, consumer signs, provider signs, authority files" >&2
for file in Agreements/BJ-*.toml; do
  id=$(sed -n 's/^id = "\(.*\)"/\1/p' "$file")
  provider=$(sed -n 's/^provider = "\(.*\)"/\1/p' "$file")
  consumer=$(sed -n 's/^consumer = "\(.*\)"/\1/p' "$file")
  gx agreement import --token-file "$ADMIN" "$file"
  gx agreement sign "$id" --token-file "$STATE/agencies/$consumer.token" --key "$STATE/agencies/$consumer.key"
  gx agreement sign "$id" --token-file "$STATE/agencies/$provider.token" --key "$STATE/agencies/$provider.key"
  # Items above 一般 (GB/T 43697-2024) are filed only when the authority acknowledges their levels:
  # the population agreement shares 重要 items (公民身份号码, 姓名, 出生日期).
  case "$id" in
    BJ-GX-2026-004|BJ-GX-2026-005) gx agreement file "$id" --token-file "$ADMIN" --acknowledge-levels 重要 ;;
    *) gx agreement file "$id" --token-file "$ADMIN" ;;
  esac
done

# A demand (共享需求) from submission to a filed agreement: 市人力社保局 asks 市公安局 for population data
# (有条件共享), the authority forwards it, the provider accepts all but one item (with its reason), the hub
# draws up the draft agreement, both parties sign it and the authority files it. Its validity begins next
# year, so it is filed rather than active and tonight's exchange is unchanged.
echo "== a demand: submitted, forwarded, answered, drawn up as an agreement, signed and filed" >&2
DEMANDER=11110000000021063W; DEMANDED=111100000000210552
NEXT_YEAR=$(( $(TZ=Asia/Shanghai date +%Y) + 1 ))
demand=$(gx demand submit --token-file "$STATE/agencies/$DEMANDER.token" --resource RK-001 \
  --item 姓名 --item 出生日期 --item 人员状态代码 --item 住址 --purpose "社会保险待遇领取资格认证。" \
  --basis "《中华人民共和国社会保险法》第七十四条" --from "$NEXT_YEAR-01-01" --until "$NEXT_YEAR-12-31" | awk 'NR == 1 {print $1}')
gx demand review "$demand" forward --token-file "$ADMIN"
gx demand reply "$demand" accept-fewer --refuse-item "住址=不属于资格认证所必需" --token-file "$STATE/agencies/$DEMANDED.token"
drafted=$(gx demand terms "$demand" --token-file "$ADMIN" | sed -n 's/^id = "\(.*\)"/\1/p')
gx agreement sign "$drafted" --token-file "$STATE/agencies/$DEMANDER.token" --key "$STATE/agencies/$DEMANDER.key"
gx agreement sign "$drafted" --token-file "$STATE/agencies/$DEMANDED.token" --key "$STATE/agencies/$DEMANDED.key"
gx agreement file "$drafted" --token-file "$ADMIN" --acknowledge-levels 重要
gx demand show "$demand" --token-file "$ADMIN"

# The exchange: each provider's nightly export (generated sample data, some rows deliberately invalid to
# show the quarantine), its agent pushing, the consumers' agents pulling into SQLite; then a second night
# with about 1 % of rows inserted, updated or deleted.
ROWS="${GX_ROWS:-3000}"
python3 scripts/agent-configs.py "$STATE" "$GX_BIN" "$GX_HUB" >/dev/null
providers=$(grep -l '^\[\[provide\]\]' "$STATE"/agents/*/agent.toml)
consumers=$(grep -L '^\[\[provide\]\]' "$STATE"/agents/*/agent.toml)
for night in 1 2; do
  echo "== night $night: $ROWS rows per resource; providers push, consumers pull and apply" >&2
  for config in $providers; do
    dir=$(dirname "$config")
    for resource in $(sed -n 's/^resource = "\(.*\)"/\1/p' "$config"); do
      gx sample --resource "$resource" --rows "$ROWS" --seed 20261123 --night "$night" --invalid-every 250 --out "$dir/data/$resource.csv"
    done
    gx agent run --config "$config"
  done
  for config in $consumers; do gx agent run --config "$config"; done
done

# An objection (数据异议) from raising to closing: 人社局 disputes a name it received; its agent flags the key in
# gx_disputed; 公安局 confirms and corrects the row at the source; its next pass carries the key, so the hub
# closes the objection; 人社局's next run applies the correction and drops the flag in the same transaction.
echo "== an objection: raised by the consumer, confirmed by the provider, closed by the correcting batch" >&2
objp=111100000000210552; objc=11110000000021063W
received="$STATE/agents/$objc/data/received.sqlite"
disputed() { python3 -c 'import sqlite3,sys; print("gx_disputed:", sqlite3.connect(sys.argv[1]).execute("SELECT key, objection FROM gx_disputed").fetchall())' "$received"; }
objkey=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT \"公民身份号码\" FROM RK_001 ORDER BY 1 LIMIT 1").fetchone()[0])' "$received")
raised=$(gx objection raise --token-file "$STATE/agencies/$objc.token" --agreement BJ-GX-2026-004 --key "$objkey" --item 姓名 \
  --problem "姓名与社保档案不符" --evidence "社保档案 2026-0001 号")
echo "$raised"
objection=${raised%% *}
gx agent run --config "$STATE/agents/$objc/agent.toml" && disputed
gx objection answer "$objection" confirmed --token-file "$STATE/agencies/$objp.token"
python3 -c 'import sys; p, k = sys.argv[1:]; rows = open(p, encoding="utf-8").read().split("\n")
rows = [",".join([f[0], "张更正"] + f[2:]) if r.startswith(k + ",") else r for r, f in ((r, r.split(",")) for r in rows)]
open(p, "w", encoding="utf-8").write("\n".join(rows))' "$STATE/agents/$objp/data/RK-001.csv" "$objkey"
gx agent run --config "$STATE/agents/$objp/agent.toml"
gx objection show "$objection" --token-file "$STATE/agencies/$objc.token"
gx agent run --config "$STATE/agents/$objc/agent.toml" && disputed

# Verification (比对核实, Agreements/BJ-GX-2026-005-*): 人社局 checks 200 card holders (ID number, name, birth
# date, in the register export's layout) against the population register: 20 names planted wrong, 5 ID numbers
# the register lacks, 10 rows typed with full-width digits and padding. It receives only the answers — found or
# not, match or mismatch per item — never a value of the register, which never leaves 公安局.
security=11110000000021063W police=111100000000210552
python3 scripts/verify-sample.py "$STATE/agents/$police/data/RK-001.csv" "$STATE/agents/$security/data/verify-RK-001.csv"
python3 scripts/agent-configs.py "$STATE" "$GX_BIN" "$GX_HUB" >/dev/null
echo "== verification: 人社局 sends its records, 公安局 answers from its register, 人社局 applies the answers" >&2
gx agent run --config "$STATE/agents/$security/agent.toml" | grep '^verified' || true
gx agent run --config "$STATE/agents/$police/agent.toml" | grep '^verified' || true
gx agent run --config "$STATE/agents/$security/agent.toml" | grep '^verified' || true

echo
echo "== what flowed, per agreement (receipts are recorded only when their SM3 matches the delivery)"
gx exchange report --token-file "$ADMIN"

echo
gx agencies list --token-file "$ADMIN"
echo
gx catalogue list --token-file "$ADMIN"
echo
gx agreement list --token-file "$ADMIN"
echo
echo "== audit log (as the auditor)"
gx audit list --token-file "$STATE/hub/auditor.token" --limit 1000
gx audit export --token-file "$STATE/hub/auditor.token" --out "$STATE/audit.ndjson" >/dev/null

echo
echo "== oversight: cadence of the last 7 nights (a night runs 12:00 to 12:00 Beijing time) and this year's statistics"
tonight=$(date -u -d "@$(( $(date +%s) - 4 * 3600 ))" +%F)
week_ago=$(date -u -d "@$(( $(date +%s) - 4 * 3600 - 6 * 86400 ))" +%F)
gx report compliance --token-file "$STATE/hub/auditor.token" --from "$week_ago" --to "$tonight"
gx report statistics --token-file "$STATE/hub/auditor.token" --year "$(date -u -d "@$(( $(date +%s) + 8 * 3600 ))" +%Y)"

echo
echo "== stopping the hub (SIGTERM: graceful shutdown) and re-verifying offline"
kill -TERM $HUB_PID
wait $HUB_PID || true
trap - EXIT
gx audit verify --file "$STATE/audit.ndjson" --pub "$STATE/hub/hub.pub"
gx audit verify --db "$STATE/hub/hub.sqlite" --pub "$STATE/hub/hub.pub"
active=$(grep -c '"action":"agreement.activated"' "$STATE/audit.ndjson" || true)
echo
received=$(grep -c '"action":"batch.received"' "$STATE/audit.ndjson" || true)
echo "quickstart done: $(echo $codes | wc -w) agencies, $(ls Catalogue/*.toml | wc -l) catalogue entries, $active agreements active, $received batches applied and receipted; state in $STATE"

echo
echo "== the console: $GX_HUB/console/ — sign in with the content of a token file"
echo "  $STATE/hub/admin.token    the authority (admin): overview, agencies, catalogue, agreements, file/suspend/resume/revoke"
echo "  $STATE/hub/auditor.token  the auditor: the audit log, chain verification, exports (reads only)"
for code in $codes; do
  name=$(awk -v c="$code" '$0 ~ "^code = \""c"\"" {found=1} found && /^name = / {sub(/^name = "/, ""); sub(/"$/, ""); print; exit}' Agreements/agencies.toml)
  echo "  $STATE/agencies/$code.token  $name: its own agreements, batches and receipts"
done
if [ "${GX_KEEP_SERVING:-}" = "1" ]; then
  "$GX_BIN" hub serve --db "$STATE/hub/hub.sqlite" --listen "127.0.0.1:$PORT" 2>>"$STATE/hub/hub.log" &
  HUB_PID=$!
  trap 'kill $HUB_PID 2>/dev/null || true' EXIT INT TERM
  echo "== the hub serves at $GX_HUB until Ctrl-C (log: $STATE/hub/hub.log)"
  wait $HUB_PID
else
  echo "  (the hub has stopped; run with GX_KEEP_SERVING=1 to keep it serving for a look)"
fi
