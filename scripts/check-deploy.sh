#!/usr/bin/env bash
# Checks the operator-facing files under Deploy/ without deploying anything: needs neither a running
# systemd, nor PostgreSQL, nor Docker. Safe to run again and again; prints what it checked.
#
#   scripts/check-deploy.sh [GX]     GX: the gx binary to check against (default: $GX_BIN, else the newest
#                                    .build/*/gx). GX_DEPLOY_DIR=DIR checks another copy of Deploy/.
#
# - systemd units: `systemd-analyze verify`, which also exits 0 on many errors (an unknown directive, an
#   unparsable value "ignoring"), so any output at all counts as a failure; and `systemd-analyze security
#   --offline` with a threshold, so the hardening cannot quietly erode.
# - the units' gx command lines: every option must be one the built gx offers.
# - hub.toml and agent.toml: TOML syntax (python3 tomllib), then gx's own parsers, which refuse unknown keys.
# - compose.yaml: YAML syntax, if python3 has PyYAML. Shell scripts: bash -n.
# - nginx/: `nginx -t` on the site file with its snippet, in a scratch prefix.
set -euo pipefail
cd "$(dirname "$0")/.."
deploy=${GX_DEPLOY_DIR:-Deploy}
instance=11110000000021039C           # a sample agency code, to instantiate template units
exposure_limit=20                     # systemd-analyze's scale ×10, i.e. 2.0; the units score 1.4

gx=${1:-${GX_BIN:-}}
[ -n "$gx" ] || gx=$(ls -t .build/*/gx 2>/dev/null | head -1 || true)
[ -n "$gx" ] && [ -x "$gx" ] || { echo "check-deploy: no gx binary; run \`swift build --product gx\` or pass its path" >&2; exit 2; }
gx=$(realpath "$gx")

if ! command -v systemd-analyze >/dev/null; then
  echo "check-deploy: installing systemd (for systemd-analyze)" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq systemd >/dev/null
  command -v systemd-analyze >/dev/null || { echo "check-deploy: still no systemd-analyze after installing systemd" >&2; exit 2; }
fi

failures=0
ok() { echo "  ok    $*"; }
fail() { echo "  FAIL  $*"; failures=$((failures + 1)); }

tmp=$(mktemp -d /tmp/gx-check-deploy.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# systemd-analyze verify insists that ExecStart's program exists and is executable. The units name their
# installed paths, so they are verified from copies in which those paths point at what would be installed
# there: the gx under test and Deploy/backup.sh. Nothing else differs, line numbers included.
mkdir -p "$tmp/bin" "$tmp/units"
ln -s "$gx" "$tmp/bin/gx"
ln -s "$(realpath "$deploy/backup.sh")" "$tmp/bin/gongxiang-backup"
units=()
for file in "$deploy"/systemd/*.service "$deploy"/systemd/*.timer; do
  [ -e "$file" ] || continue
  name=$(basename "$file")
  sed -e "s#/usr/local/bin/gx\\([[:space:]]\\|\$\\)#$tmp/bin/gx\\1#g" \
      -e "s#/usr/local/bin/gongxiang-backup\\([[:space:]]\\|\$\\)#$tmp/bin/gongxiang-backup\\1#g" "$file" >"$tmp/units/$name"
  # A template is checked as an instance, so that %i expands as it will in production.
  case $name in
  *@.*) ln -s "$name" "$tmp/units/${name/@./@$instance.}"; units+=("${name/@./@$instance.}") ;;
  *) units+=("$name") ;;
  esac
done
[ ${#units[@]} -gt 0 ] || { echo "check-deploy: no units under $deploy/systemd" >&2; exit 2; }

echo "check-deploy: systemd units in $deploy/systemd (gx: $gx)"
for unit in "${units[@]}"; do
  if out=$(cd "$tmp/units" && systemd-analyze verify --man=no "./$unit" 2>&1) && [ -z "$out" ]; then
    ok "verify $unit"
  else
    fail "verify $unit"
    printf '%s\n' "$out" | sed "s#$tmp/units/#$deploy/systemd/#; s/^/        /"
  fi
  case $unit in
  *.service)
    if out=$(cd "$tmp/units" && systemd-analyze security --offline=yes --threshold=$exposure_limit "./$unit" 2>&1); then
      ok "security $unit: $(grep -o 'exposure level.*' <<<"$out" | sed 's/^exposure level for [^:]*: //')"
    else
      fail "security $unit: exposure above $((exposure_limit / 10)).$((exposure_limit % 10))"
      { grep -E '✗|Overall' <<<"$out" || printf '%s\n' "$out"; } | sed 's/^/        /'
    fi
    ;;
  *.timer)
    # verify does not notice a timer whose service is missing; it would never fire anything.
    if [ -e "$tmp/units/${unit%.timer}.service" ]; then ok "${unit%.timer}.service exists for $unit"; else fail "$unit has no ${unit%.timer}.service"; fi
    ;;
  esac
done

# Options the units pass to gx must exist in this gx: `gx SUBCOMMAND… --help` lists them.
echo "check-deploy: gx command lines in the units"
for file in "$deploy"/systemd/*.service; do
  while IFS= read -r line; do
    read -ra words <<<"${line#ExecStart=}"
    [ "${words[0]}" = /usr/local/bin/gx ] || continue
    sub=() opts=()
    for word in "${words[@]:1}"; do
      case $word in
      --*) opts+=("${word%%=*}") ;;
      -*) ;;
      *) [ ${#opts[@]} -gt 0 ] || sub+=("$word") ;;
      esac
    done
    if ! help=$("$gx" "${sub[@]}" --help 2>&1); then fail "$(basename "$file"): gx ${sub[*]} --help failed"; continue; fi
    missing=()
    for opt in "${opts[@]}"; do grep -qE -- "(^|[[:space:][])$opt([][[:space:]=<,]|\$)" <<<"$help" || missing+=("$opt"); done
    if [ ${#missing[@]} -eq 0 ]; then ok "$(basename "$file"): gx ${sub[*]} ${opts[*]}"; else fail "$(basename "$file"): gx ${sub[*]} has no ${missing[*]}"; fi
  done < <(grep -E '^ExecStart=' "$file")
done

echo "check-deploy: example configurations"
for file in "$deploy/hub.toml" "$deploy/agent.toml"; do
  if out=$(python3 -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' "$file" 2>&1); then
    ok "$file is TOML"
  else
    fail "$file is not TOML"; printf '%s\n' "$out" | tail -1 | sed 's/^/        /'
  fi
done
# Without GX_HUB_* from the caller's environment, which would override the file.
if out=$(unset "${!GX_HUB_@}"; "$gx" hub serve --config "$deploy/hub.toml" --print-config 2>&1); then
  ok "gx hub serve --config $deploy/hub.toml --print-config"
else
  fail "gx hub serve --config $deploy/hub.toml --print-config"
  printf '%s\n' "$out" | sed 's/^/        /'
fi
# `gx agent status` loads the configuration with the agent's parser (unknown keys, mappings, URLs) and
# only reads the state directory, which need not exist.
if out=$("$gx" agent status --config "$deploy/agent.toml" 2>&1); then
  ok "gx agent status --config $deploy/agent.toml"
else
  fail "gx agent status --config $deploy/agent.toml"
  printf '%s\n' "$out" | sed 's/^/        /'
fi
if [ -e "$deploy/compose.yaml" ]; then
  if python3 -c 'import yaml' 2>/dev/null; then
    if out=$(python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert isinstance(d.get("services"), dict), "no services"' "$deploy/compose.yaml" 2>&1); then
      ok "$deploy/compose.yaml parses"
    else
      fail "$deploy/compose.yaml"; printf '%s\n' "$out" | tail -3 | sed 's/^/        /'
    fi
  else
    echo "  skip  $deploy/compose.yaml: python3 has no PyYAML (apt-get install python3-yaml to check it)"
  fi
fi

if [ -e "$deploy/nginx/gongxiang-hub.conf" ]; then
  echo "check-deploy: nginx configuration"
  if command -v nginx >/dev/null; then
    # nginx -t inside a frame of our own (pid, logs and temp files in a scratch prefix), the site file
    # as installed beside its snippet, its TLS paths pointed at a throwaway certificate that exists.
    frame=$(mktemp -d)
    mkdir -p "$frame/snippets" "$frame/logs"
    cp "$deploy/nginx/gongxiang-proxy.conf" "$frame/snippets/"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=check-deploy \
      -keyout "$frame/hub.key" -out "$frame/hub.crt" 2>/dev/null
    sed -e "s#/etc/gongxiang/tls/hub.crt#$frame/hub.crt#; s#/etc/gongxiang/tls/hub.key#$frame/hub.key#" \
      "$deploy/nginx/gongxiang-hub.conf" >"$frame/site.conf"
    printf 'pid %s/nginx.pid;\nerror_log %s/logs/error.log;\nevents {}\nhttp {\n    access_log off;\n    client_body_temp_path %s/logs;\n    proxy_temp_path %s/logs;\n    include %s/site.conf;\n}\n' \
      "$frame" "$frame" "$frame" "$frame" "$frame" >"$frame/nginx.conf"
    if out=$(nginx -t -p "$frame" -c "$frame/nginx.conf" 2>&1); then
      ok "nginx -t: $deploy/nginx/gongxiang-hub.conf with gongxiang-proxy.conf"
    else
      fail "nginx -t: $deploy/nginx/gongxiang-hub.conf"; printf '%s\n' "$out" | sed 's/^/        /'
    fi
    rm -rf "$frame"
  else
    fail "no nginx to check $deploy/nginx with (scripts/setup.sh installs nginx-light)"
  fi
fi

echo "check-deploy: shell scripts"
found=0
while IFS= read -r -d '' script; do
  found=1
  if out=$(bash -n "$script" 2>&1); then ok "bash -n $script"; else fail "bash -n $script"; printf '%s\n' "$out" | sed 's/^/        /'; fi
done < <(find "$deploy" -name '*.sh' -type f -print0 | sort -z)
[ $found -eq 1 ] || echo "  skip  no shell scripts under $deploy"

if [ $failures -gt 0 ]; then
  echo "check-deploy: $failures check(s) failed" >&2
  exit 1
fi
echo "check-deploy: all checks passed"
