#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the test suite: a fresh cluster in a temporary directory, on a free
# loopback port, owned by a non-root user (initdb refuses to run as root; we use runuser to `postgres`).
#
#   scripts/test-postgres.sh start   prints `export GX_TEST_POSTGRES_URL=…` and `export GX_TEST_POSTGRES_DIR=…`
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

case "${1:-}" in
start)
  dir=$(mktemp -d /tmp/gx-test-postgres.XXXXXX)
  chmod 755 "$dir"
  [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  as_owner "$bindir/initdb" -D "$dir/data" -U gx --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=1000 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "export GX_TEST_POSTGRES_URL=postgres://gx@127.0.0.1:$port/postgres?sslmode=disable"
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
