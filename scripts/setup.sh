#!/usr/bin/env bash
# Installs the system libraries Gongxiang builds against, only where missing (idempotent).
# OpenSSL 3 (SM2/SM3/SM4), Intel ISA-L (deflate), zlib, SQLite, pkg-config, the PostgreSQL 15 server the test suite starts, and
# headless Chromium with its driver, a Chinese font and Selenium for the console's browser tests, and nginx
# for the two-hub balancer test (scripts/balancer.sh; installed, never enabled as a service).
set -euo pipefail

needed=()
for pkg in libssl-dev libisal-dev zlib1g-dev libsqlite3-dev pkg-config openssl curl python3 postgresql-15 postgresql-client-15 chromium chromium-driver fonts-wqy-zenhei nginx-light; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || needed+=("$pkg")
done
if [ ${#needed[@]} -gt 0 ]; then
  echo "setup: installing ${needed[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${needed[@]}" >/dev/null
fi
python3 -c 'import selenium' 2>/dev/null || { echo "setup: installing selenium (PyPI)" >&2; python3 -m pip install --quiet selenium; }
command -v swift >/dev/null || { echo "setup: swift is not on PATH (expected Swift 6.1 or later)" >&2; exit 1; }
