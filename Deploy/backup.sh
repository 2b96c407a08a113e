#!/usr/bin/env bash
# Backs up a Gongxiang hub into one self-contained directory per run, DEST/YYYY-MM-DD: a consistent copy
# of the database and the batch payloads beside it. Payloads never change once written, so unchanged ones
# are hard links into the previous backup and a night costs only what arrived that day. Keeps the newest
# KEEP backups (default 14). Installed as /usr/local/bin/gongxiang-backup, run by gongxiang-backup.timer.
#
#   gongxiang-backup /var/lib/gongxiang/hub.sqlite /var/lib/gongxiang/batches /var/backups/gongxiang [KEEP]
#   gongxiang-backup 'postgres://gongxiang_hub@db.example/gongxiang?sslmode=verify-full&sslrootcert=…' \
#                    /srv/gongxiang/batches /var/backups/gongxiang [KEEP]       (password: PGPASSWORD)
#
# The database is copied first, then the payloads: the hub writes a payload before the row naming it, so
# every batch the copy knows of is on disk, except one pruned in between (which every consumer had already
# acknowledged). hub.key is not copied: keep it, once, in an offline safe place.
set -euo pipefail

usage() { echo "usage: gongxiang-backup DB_FILE_OR_POSTGRES_URL BATCHES_DIR DEST_DIR [KEEP]" >&2; exit 2; }
[ $# -ge 3 ] && [ $# -le 4 ] || usage
db=$1 batches=$2 keep=${4:-14}
# Absolute, because rsync takes --link-dest relative to the destination.
dest=$(realpath -m "$3")
[[ $keep =~ ^[1-9][0-9]*$ ]] || usage
command -v rsync >/dev/null || { echo "gongxiang-backup: rsync is not installed (apt-get install rsync)" >&2; exit 1; }

day=$(date +%Y-%m-%d)
mkdir -p "$dest"
# Built under a temporary name and renamed when complete, so a directory named by a date is always whole.
partial="$dest/.partial-$day"
rm -rf "$partial"
mkdir -m 0700 "$partial"
trap 'rm -rf "$partial"' EXIT

case $db in
postgres://* | postgresql://*)
  command -v pg_dump >/dev/null || { echo "gongxiang-backup: pg_dump is not installed (postgresql-client)" >&2; exit 1; }
  # Only the hub's schema: setup.sql recreates the role, database and grants before a restore.
  pg_dump --format=custom --schema=gongxiang --file="$partial/hub.dump" "$db"
  ;;
*)
  [ -f "$db" ] || { echo "gongxiang-backup: no database $db" >&2; exit 1; }
  gx=$(command -v gx || echo /usr/local/bin/gx)
  # An online copy (VACUUM INTO): consistent while the hub keeps writing.
  "$gx" hub backup --db "$db" --out "$partial/hub.sqlite"
  if [ -f "$(dirname "$db")/hub.pub" ]; then cp "$(dirname "$db")/hub.pub" "$partial/"; fi
  ;;
esac

previous=$(find "$dest" -mindepth 1 -maxdepth 1 -type d -name '????-??-??' ! -name "$day" | sort | tail -1)
# -rlt, not -a: owner and group stay the backup user's (the unit's syscall filter refuses chown anyway).
# A hub that has accepted no batch yet has no batch directory.
if [ -d "$batches" ]; then
  rsync -rlt ${previous:+--link-dest="$previous/batches"} "$batches/" "$partial/batches/"
else
  mkdir "$partial/batches"
fi

rm -rf "${dest:?}/$day"
mv "$partial" "$dest/$day"
trap - EXIT
find "$dest" -mindepth 1 -maxdepth 1 -type d -name '????-??-??' | sort | head -n -"$keep" | xargs -r rm -rf --
echo "gongxiang-backup: $dest/$day"
