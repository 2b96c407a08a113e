#!/usr/bin/env bash
# Run once by the postgres image when compose.yaml's database starts on an empty volume
# (/docker-entrypoint-initdb.d): setup.sql, with the hub role's password from the environment.
# The image may source this file rather than execute it, hence no `exec` and no `exit`.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --dbname postgres \
  -v hub_password="$GONGXIANG_HUB_DB_PASSWORD" -f /gongxiang/setup.sql
