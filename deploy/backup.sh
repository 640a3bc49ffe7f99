#!/usr/bin/env bash
# Backs up Trygg & Säker: the database (pg_dump, custom format) and the media files (a gzipped tarball), both named
# after the time of the backup (UTC), into BACKUP_DIR; then deletes this script's backups older than
# BACKUP_RETENTION_DAYS days. Run nightly by deploy/systemd/trygg-backup.timer; restore as the README's
# "Backups and restore" says.
#
#   DATABASE_URL           the site's database, as the site reads it (required)
#   MEDIA_ROOT             the uploaded files (default: $VAR_DIR/media, VAR_DIR defaulting to /srv/trygg/var)
#   BACKUP_DIR             where the backups go (default: /srv/trygg/backups)
#   BACKUP_RETENTION_DAYS  how long a backup is kept (default: 14)
#
# The database goes first: media files uploaded meanwhile are then in the tarball without a row pointing at them
# (harmless), never a row pointing at a file the tarball lacks. pg_dump reads one consistent snapshot while the
# site runs. The password travels in PGPASSWORD, not on a command line that `ps` shows.
set -euo pipefail

: "${DATABASE_URL:?must be set: the database of the site}"
media_root=${MEDIA_ROOT:-${VAR_DIR:-/srv/trygg/var}/media}
backup_dir=${BACKUP_DIR:-/srv/trygg/backups}
retention_days=${BACKUP_RETENTION_DAYS:-14}
[[ $retention_days =~ ^[1-9][0-9]*$ ]] || { echo "BACKUP_RETENTION_DAYS must be a whole number of days" >&2; exit 2; }

# postgres://user:password@host:port/name?sslmode=… → libpq's PG* variables.
libpq_environment=$("${PYTHON:-python3}" - <<'PYTHON'
import os
import shlex
from urllib.parse import parse_qsl, unquote, urlsplit

url = urlsplit(os.environ["DATABASE_URL"])
if url.scheme not in {"postgres", "postgresql", "pgsql"}:
    raise SystemExit(f"DATABASE_URL is not PostgreSQL ({url.scheme}:); back up a SQLite site by copying its file")
variables = {
    "PGHOST": unquote(url.hostname or ""),
    "PGPORT": str(url.port or ""),
    "PGUSER": unquote(url.username or ""),
    "PGPASSWORD": unquote(url.password or ""),
    "PGDATABASE": unquote(url.path.lstrip("/")),
}
libpq = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "connect_timeout": "PGCONNECT_TIMEOUT"}
variables.update({libpq[key]: value for key, value in parse_qsl(url.query) if key in libpq})
for name, value in variables.items():
    if value:
        print(f"export {name}={shlex.quote(value)}")
PYTHON
)
eval "$libpq_environment"

umask 077
mkdir -p "$backup_dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dump="$backup_dir/db-$stamp.dump"
media="$backup_dir/media-$stamp.tar.gz"
# Written under a temporary name and renamed when complete: a file named like a backup is a whole backup.
trap 'rm -f "$dump.partial" "$media.partial"' EXIT

pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial"
pg_restore --list "$dump.partial" >/dev/null  # the archive reads back
mv "$dump.partial" "$dump"

if [[ -d $media_root ]]; then
    # GNU tar exits 1 when a file changed while it was read (an upload meanwhile): the tarball is still good.
    tar --create --gzip --file="$media.partial" --directory="$(dirname "$media_root")" "$(basename "$media_root")" \
        || [[ $? -eq 1 ]]
    mv "$media.partial" "$media"
    echo "Backed up the media files to $media ($(du -h "$media" | cut -f1))."
else
    echo "No media directory at $media_root: only the database is backed up." >&2
fi
echo "Backed up the database to $dump ($(du -h "$dump" | cut -f1))."

find "$backup_dir" -maxdepth 1 -type f \( -name 'db-*.dump' -o -name 'media-*.tar.gz' \) \
    -mmin +$((retention_days * 24 * 60)) -print -delete | sed 's/^/Deleted (older than the retention): /'
