#!/usr/bin/env bash
# A throwaway PostgreSQL 16 server for the demo and the client tests.
#   scripts/server.sh start DIR PORT   initdb (once) and start, listening on 127.0.0.1:PORT
#   scripts/server.sh stop DIR         stop it (no error when it is not running)
#   scripts/server.sh fresh DIR PORT   stop any earlier one, wipe DIR, start anew
# DIR must be reachable by the server's user; `scratch_dir` below picks one.
# Reads target/pgmem.env written by scripts/setup.sh.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
bindir=$("$PG_CONFIG" --bindir)

as_server_user() {
    if [ -n "${RUNAS:-}" ]; then runuser -u "$RUNAS" -- "$@"; else "$@"; fi
}

start() {
    local dir=$1 port=$2
    mkdir -p "$dir"
    [ -z "${RUNAS:-}" ] || chown "$RUNAS" "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_server_user "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust \
            -E UTF8 --locale=C >"$dir/initdb.log" 2>&1
    fi
    # As in production: with RUST_BACKTRACE set, pgrx captures and symbolizes a backtrace
    # for every error raised inside Rust code (a cancel, a timeout), which delays the
    # first in each backend by tens of ms and puts the backtrace in its DETAIL.
    as_server_user env -u RUST_BACKTRACE -u RUST_LIB_BACKTRACE "$bindir/pg_ctl" \
        -D "$dir/data" -l "$dir/server.log" -w \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $dir" start >/dev/null
}

stop() {
    local dir=$1
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_server_user "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
}

fresh() {
    stop "$1"
    rm -rf "$1"
    start "$1" "$2"
}

case "${1:-}" in
    start) start "$2" "$3" ;;
    stop) stop "$2" ;;
    fresh) fresh "$2" "$3" ;;
    *) echo "usage: $0 start DIR PORT | stop DIR | fresh DIR PORT" >&2; exit 2 ;;
esac
