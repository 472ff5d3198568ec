#!/bin/sh
# Writes the runtime role's password (from the environment, never from the image) to the
# auth file PgBouncer reads, then runs PgBouncer in the foreground.
set -eu
: "${APP_DATABASE_PASSWORD:?APP_DATABASE_PASSWORD is required}"
umask 077
printf '"zz_app" "%s"\n' "$(printf '%s' "$APP_DATABASE_PASSWORD" | sed 's/"/""/g')" > /tmp/userlist.txt
exec /usr/sbin/pgbouncer /etc/pgbouncer/pgbouncer.ini
