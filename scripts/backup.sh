#!/usr/bin/env bash
# Backs up the PostgreSQL database in $DATABASE_URL with pg_dump's custom format (compressed,
# restorable table by table) to a dated file: scripts/backup.sh [folder]   (default var/backups)
#
# Restore into a new, empty database, then check it before pointing the app at it:
#   createdb -h HOST -U USER hsb_portal_restored
#   pg_restore --exit-on-error --no-owner --dbname postgres://USER@HOST:5432/hsb_portal_restored FILE
#   DATABASE_URL=postgres://USER@HOST:5432/hsb_portal_restored python manage.py migrate --check
#   DATABASE_URL=postgres://USER@HOST:5432/hsb_portal_restored python manage.py verify_audit_chain
# tests/reliability/test_backup_restore.py runs this round trip and checks every table's rows.
# The file holds children's records: keep it encrypted, in the UK (security.md §5).
set -euo pipefail

: "${DATABASE_URL:?Set DATABASE_URL to the PostgreSQL database to back up}"
case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "DATABASE_URL is not a PostgreSQL database; pg_dump backs up PostgreSQL only" >&2; exit 2 ;;
esac

umask 077  # the folder and the dump are readable by their owner only
folder="${1:-var/backups}"
mkdir -p "$folder"
file="$folder/hsb_portal-$(date -u +%Y%m%dT%H%M%SZ).dump"
pg_dump --format=custom --file "$file" "$DATABASE_URL"
echo "$file"
