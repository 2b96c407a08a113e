#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the test suite: a fresh cluster in a temporary directory, on a free
# loopback port, owned by a non-root user (initdb refuses to run as root; we use runuser to `postgres`).
# It serves TLS with a certificate from a CA made here, and role `tlsonly` may connect over TLS only, so
# tests can prove that a connection is encrypted and verified.
#
#   scripts/test-postgres.sh start   prints `export GX_TEST_POSTGRES_URL=…`, `…_CA=…` and `…_DIR=…`
#   scripts/test-postgres.sh stop DIR
#
# scripts/test.sh runs both around `swift test`. Durability is switched off (fsync, synchronous_commit):
# the cluster is deleted afterwards, and tests measure correctness, not crash safety of PostgreSQL itself.
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || { echo "test-postgres: no PostgreSQL server found; run scripts/setup.sh (installs postgresql-15)" >&2; exit 1; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

certificates() {
  local dir=$1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 -subj "/CN=Gongxiang test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 -subj "/CN=Another CA" \
    -keyout "$dir/other-ca.key" -out "$dir/other-ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
    -keyout "$dir/data/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 3 \
    -extfile "$dir/server.ext" -out "$dir/data/server.crt" 2>/dev/null
  chmod 600 "$dir/data/server.key"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir/data/server.key" "$dir/data/server.crt"
}

case "${1:-}" in
start)
  dir=$(mktemp -d /tmp/gx-test-postgres.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  as_owner "$bindir/initdb" -D "$dir/data" -U gx --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  certificates "$dir"
  hba="$dir/data/pg_hba.conf"
  { printf 'hostssl all tlsonly 127.0.0.1/32 trust\nhostnossl all tlsonly 127.0.0.1/32 reject\n'; cat "$hba"; } >"$hba.new"
  mv "$hba.new" "$hba"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$hba"
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=1000 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c ssl=on" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  psql "postgres://gx@127.0.0.1:$port/postgres?sslmode=disable" -qc "CREATE ROLE tlsonly LOGIN" >/dev/null
  echo "export GX_TEST_POSTGRES_URL=postgres://gx@127.0.0.1:$port/postgres?sslmode=disable"
  echo "export GX_TEST_POSTGRES_CA=$dir/ca.pem"
  echo "export GX_TEST_POSTGRES_DIR=$dir"
  ;;
stop)
  dir=${2:?usage: test-postgres.sh stop DIR}
  [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: scripts/test-postgres.sh start | stop DIR" >&2
  exit 2
  ;;
esac
