#!/usr/bin/env bash
# Fuzzes one reader of outside bytes with libFuzzer and AddressSanitizer for SECONDS seconds:
#
#   scripts/fuzz.sh TARGET SECONDS      TARGET: canonical-line payload manifest catalogue-toml agreement-toml
#                                               agent-config csv http-body (or `all`)
#
# Builds `gx-fuzz` with GX_FUZZ=1 in its own build folder (.build/fuzz; the ordinary build is untouched),
# starts from the committed seed corpus in Fuzz/corpus/TARGET and keeps what it learns in
# .build/fuzz-corpus/TARGET. A crash, a leak, a trap or a broken round trip stops it and leaves the input in
# .build/fuzz-findings/TARGET; add that input as a regression test. Exit status 0: no finding.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
target=$1 seconds=$2
scripts/setup.sh >&2
GX_FUZZ=1 swift build -c release --scratch-path .build/fuzz --product gx-fuzz >&2
bin="$(GX_FUZZ=1 swift build -c release --scratch-path .build/fuzz --show-bin-path)/gx-fuzz"
targets=$target
[ "$target" = all ] && targets="canonical-line payload manifest catalogue-toml agreement-toml agent-config csv http-body"
status=0
for t in $targets; do
  [ -d "Fuzz/corpus/$t" ] || { echo "fuzz: no target $t (see Fuzz/corpus)" >&2; exit 2; }
  mkdir -p ".build/fuzz-corpus/$t" ".build/fuzz-findings/$t"
  echo "== fuzz $t for ${seconds}s" >&2
  # TOMLKit (the TOML dependency) leaks what its C++ bridge allocates on every decode (tableGetKeys, string
  # getters: found by this campaign). TOML is read once per process (configs, agreement and catalogue files),
  # so the TOML targets look for crashes with leak detection off.
  leaks=1
  case $t in *-toml|agent-config) leaks=0 ;; esac
  # -detect_leaks governs libFuzzer's check after each input; ASAN_OPTIONS the sanitizer's own check at exit.
  if ! ASAN_OPTIONS="detect_leaks=$leaks" GX_FUZZ_TARGET=$t "$bin" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -detect_leaks=$leaks \
      -artifact_prefix=".build/fuzz-findings/$t/" -print_final_stats=1 ".build/fuzz-corpus/$t" "Fuzz/corpus/$t" 2> ".build/fuzz-$t.log"; then
    status=1
    echo "fuzz: $t found something; input in .build/fuzz-findings/$t, log .build/fuzz-$t.log" >&2
  fi
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+ *DONE' ".build/fuzz-$t.log" | sed "s/^/  $t: /" >&2 || true
done
exit $status
