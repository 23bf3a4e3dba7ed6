#!/usr/bin/env bash
# Runs a private PostgreSQL server from the Debian package's binaries, in the foreground, for Aspire (or
# eng/test.sh) to track. SIGTERM stops it with a fast shutdown: PostgreSQL's own SIGTERM is a "smart" shutdown
# that waits for every pooled client to leave, and Aspire SIGKILLs what has not exited after ~6 s.
#   PGDATA  data directory (created and initialised on first use)
#   PGPORT  TCP port on 127.0.0.1
#   PG_EXTRA_OPTS  extra "-c name=value" options (the test run turns fsync off for speed)
# PostgreSQL refuses to run as root, so as root it drops to the 'postgres' account.
set -euo pipefail
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
PGDATA=${PGDATA:?PGDATA is required}
PGPORT=${PGPORT:-55432}
RUNAS=()
if [[ $(id -u) -eq 0 ]]; then
  RUNAS=(setpriv --reuid=postgres --regid=postgres --init-groups --)
fi
mkdir -p "$PGDATA"
if [[ $(id -u) -eq 0 ]]; then
  # Every directory above PGDATA must be traversable by 'postgres'.
  chown postgres:postgres "$PGDATA"
fi
chmod 700 "$PGDATA"
if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
  "${RUNAS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  echo "initialised a new cluster in $PGDATA"
fi
# PostgreSQL logs to stderr; the dashboard would show every line as an error.
exec 2>&1
# A postmaster killed with -9 leaves its pid file; PostgreSQL itself checks whether that pid still lives.
# shellcheck disable=SC2086
"${RUNAS[@]}" "$PGBIN/postgres" -D "$PGDATA" -p "$PGPORT" \
  -c listen_addresses=127.0.0.1 -c unix_socket_directories="$PGDATA" \
  -c max_connections="${PG_MAX_CONNECTIONS:-300}" -c shared_buffers=128MB \
  -c log_min_messages=warning -c log_line_prefix='%m [%p] %d ' ${PG_EXTRA_OPTS:-} &
postmaster=$!
trap 'kill -INT "$postmaster" 2>/dev/null' TERM INT
wait "$postmaster"; status=$?
# The first wait returns when the trap fires; wait again for the shutdown itself.
if ((status > 128)); then wait "$postmaster"; status=$?; fi
exit "$status"
