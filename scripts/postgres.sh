#!/usr/bin/env bash
# A throwaway PostgreSQL server for the store's tests and benchmarks.
#   eval "$(scripts/postgres.sh start)"   initdb into a new temporary directory, start the server on
#                                         127.0.0.1 at a free port, create database "workwell", and
#                                         print `export WORKWELL_PG_DSN=...` and WORKWELL_PG_DIR
#   scripts/postgres.sh stop [dir]        stop that server and delete its directory
#                                         (dir defaults to $WORKWELL_PG_DIR)
# The server refuses to run as root, so as root it runs as the `postgres` system user (created by
# Debian's postgresql package) or, failing that, a dedicated unprivileged user. It listens only
# on 127.0.0.1, accepts only password (scram) logins over TCP with a random password, and keeps
# its Unix socket inside its own directory. Only the export lines go to stdout.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
  if [ -n "${WORKWELL_PG_BINDIR:-}" ]; then echo "$WORKWELL_PG_BINDIR"; return; fi
  local d
  for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  done
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then pg_config --bindir; return; fi
  log "no PostgreSQL server binaries found (install the Debian package postgresql: scripts/setup.sh)"
  exit 1
}

# Runs a command as the server's user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$owner" -- "$@"
    else
      su -s /bin/sh "$owner" -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
  else
    echo $((20000 + RANDOM % 20000))
  fi
}

start() {
  local bindir dir port password
  bindir=$(find_bindir)
  owner=$(id -un)
  if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    if ! id postgres >/dev/null 2>&1; then
      owner=workwell-pg
      id "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
    fi
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/workwell-pg.XXXXXX")
  chmod 700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" > "$dir/pwfile"
  chmod 600 "$dir/pwfile"
  [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir/pwfile"

  as_owner "$bindir/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" --auth-local=peer \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
    log "initdb failed:"; cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pwfile"
  cat > "$dir/data/pg_hba.conf" <<HBA
local all all peer
host all all 127.0.0.1/32 scram-sha-256
HBA
  [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir/data/pg_hba.conf"

  local attempt
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" \
        start >/dev/null 2>&1; then
      break
    fi
    port=
    log "start on port attempt $attempt failed; retrying"
  done
  if [ -z "$port" ]; then log "the server did not start:"; tail -20 "$dir/server.log" >&2; exit 1; fi

  as_owner "$bindir/createdb" -h "$dir" -p "$port" -U postgres workwell
  log "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
  echo "export WORKWELL_PG_DSN='host=127.0.0.1 port=$port dbname=workwell user=postgres password=$password connect_timeout=10'"
  echo "export WORKWELL_PG_DIR='$dir'"
}

stop() {
  local dir=${1:-${WORKWELL_PG_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then log "nothing to stop"; return 0; fi
  case "$dir" in */workwell-pg.*) ;; *) log "refusing to remove '$dir'"; exit 1 ;; esac
  local bindir
  bindir=$(find_bindir)
  owner=$(stat -c %U "$dir")
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || log "pg_ctl stop failed"
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop [dir]" >&2; exit 2 ;;
esac
