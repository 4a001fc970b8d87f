#!/usr/bin/env bash
# pgmem from three languages, through a pooler and on a hot standby (make test-clients):
#   - a primary with pgmem, a hot standby made with `pg_basebackup -R`, and PgBouncer
#     (pool_mode = transaction, a pool smaller than the number of clients);
#   - the same scenario from Python (psycopg 3), Node (pg) and Rust (tokio-postgres);
#   - the Python scenario from 8 clients at once through PgBouncer, each always reading
#     its own latest write; reads on the standby, and a save there failing with 25006.
# Installs what it needs: pgbouncer (apt), a Python venv and the Rust client's build
# under target/clients, the Node packages from package-lock.json. Stops it all on exit.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
"$root_dir/scripts/setup.sh" pgbouncer
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
bindir=$("$PG_CONFIG" --bindir)
primary_port=28820 standby_port=28821 bouncer_port=28822
primary_dir=$("$root_dir/scripts/scratch-dir.sh" clients-primary)
standby_dir=$("$root_dir/scripts/scratch-dir.sh" clients-standby)
bouncer_dir=$("$root_dir/scripts/scratch-dir.sh" clients-pgbouncer)
work="$root_dir/target/clients"
traces="$root_dir/tests/data/agent-traces/taubench_gpt-4o-airline.sample.json"
dsn() { echo "host=127.0.0.1 port=$1 user=postgres dbname=pgmem_clients"; }
as_server_user() { if [ -n "${RUNAS:-}" ]; then runuser -u "$RUNAS" -- "$@"; else "$@"; fi; }

stop_all() {
    [ -f "$bouncer_dir/pgbouncer.pid" ] && kill "$(cat "$bouncer_dir/pgbouncer.pid")" 2>/dev/null || true
    "$root_dir/scripts/server.sh" stop "$standby_dir"
    "$root_dir/scripts/server.sh" stop "$primary_dir"
}
stop_all
rm -rf "$primary_dir" "$standby_dir" "$bouncer_dir"
trap stop_all EXIT

echo "clients: preparing the Python, Node and Rust clients"
mkdir -p "$work"
[ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check -r "$root_dir/tests/clients/python/requirements.txt"
(cd "$root_dir/tests/clients/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
(cd "$root_dir/tests/clients/rust" && CARGO_TARGET_DIR="$work/rust" cargo build -q)
(cd "$root_dir" && cargo pgrx install --pg-config "$PG_CONFIG" >/dev/null)

echo "clients: primary, hot standby and PgBouncer"
"$root_dir/scripts/server.sh" start "$primary_dir" "$primary_port"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$primary_port" -U postgres -d postgres \
    -c "CREATE DATABASE pgmem_clients"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$primary_port" -U postgres -d pgmem_clients \
    -c "CREATE EXTENSION pgmem"
mkdir -p "$standby_dir"
[ -z "${RUNAS:-}" ] || chown "$RUNAS" "$standby_dir"
as_server_user "$bindir/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres \
    -D "$standby_dir/data" -R -X stream --checkpoint=fast
# -R writes every libpq 16 option into primary_conninfo; the walreceiver may load an
# older libpq (the distribution's), which refuses some of them. Keep the ones that matter.
sed -i "s|^primary_conninfo = .*|primary_conninfo = 'host=127.0.0.1 port=$primary_port user=postgres'|" \
    "$standby_dir/data/postgresql.auto.conf"
"$root_dir/scripts/server.sh" start "$standby_dir" "$standby_port"
mkdir -p "$bouncer_dir"
[ -z "${RUNAS:-}" ] || chown "$RUNAS" "$bouncer_dir"
echo '"postgres" ""' > "$bouncer_dir/userlist.txt"
cat > "$bouncer_dir/pgbouncer.ini" <<INI
[databases]
pgmem_clients = host=127.0.0.1 port=$primary_port dbname=pgmem_clients
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $bouncer_dir/userlist.txt
pool_mode = transaction
default_pool_size = 3
max_client_conn = 100
logfile = $bouncer_dir/pgbouncer.log
pidfile = $bouncer_dir/pgbouncer.pid
INI
chmod a+r "$bouncer_dir"/*
as_server_user /usr/sbin/pgbouncer -d -q "$bouncer_dir/pgbouncer.ini"

echo "clients: the scenario from Python, Node and Rust"
python=("$work/venv/bin/python" "$root_dir/tests/clients/python/scenario.py" --traces "$traces")
"${python[@]}" --dsn "$(dsn $primary_port)"
(cd "$root_dir/tests/clients/node" && PGHOST=127.0.0.1 PGPORT=$primary_port PGUSER=postgres \
    PGDATABASE=pgmem_clients node scenario.mjs "$traces")
"$work/rust/debug/pgmem-client-test-rust" "$traces" "$(dsn $primary_port)"

echo "clients: 8 Python clients at once through PgBouncer (a pool of 3)"
"${python[@]}" --dsn "$(dsn $bouncer_port)" --pooled 8

echo "clients: reads on the hot standby, and a save refused there"
"${python[@]}" --dsn "$(dsn $primary_port)" --standby "$(dsn $standby_port)"
echo "clients: ok"
