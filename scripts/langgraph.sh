#!/usr/bin/env bash
# The LangGraph checkpointers of langgraph/ (make test-langgraph), on a throwaway
# PostgreSQL 16 with pgmem and a PgBouncer in transaction mode whose pool (3 server
# connections) is smaller than the number of clients:
#   - langgraph/tests/codec_test.py: the adapter's encoding, on the agent traces of
#     tests/data/agent-traces (no database);
#   - LangGraph's conformance suite (langgraph-checkpoint-conformance), both savers;
#   - langgraph/tests/graph_test.py: an agent graph (fake chat model, tools) run for
#     several turns, stopped and resumed in a fresh process from pgmem alone: state,
#     history, fork, replay, and an interrupt resumed with Command(resume=...);
#   - langgraph/tests/pooler_test.py: 12 clients at once through PgBouncer on
#     connection pools, each checking its own history; then the conformance suite
#     again, through PgBouncer.
# Installs what it needs: pgbouncer (apt), a venv under target/langgraph/venv from
# langgraph/tests/requirements.txt and the package itself (editable); the venv is
# brought up to date only when those files change. Stops it all on exit.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
"$root_dir/scripts/setup.sh" pgbouncer
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
bindir=$("$PG_CONFIG" --bindir)
port=${PGMEM_LANGGRAPH_PORT:-28824}
bouncer_port=${PGMEM_LANGGRAPH_BOUNCER_PORT:-28825}
pool_size=3 clients=12
server_dir=$("$root_dir/scripts/scratch-dir.sh" langgraph)
bouncer_dir=$("$root_dir/scripts/scratch-dir.sh" langgraph-pgbouncer)
work="$root_dir/target/langgraph"
venv="$work/venv"
tests="$root_dir/langgraph/tests"
db=pgmem_langgraph
dsn="host=127.0.0.1 port=$port user=postgres dbname=$db"
bouncer_dsn="host=127.0.0.1 port=$bouncer_port user=postgres dbname=$db"
admin_dsn="host=127.0.0.1 port=$bouncer_port user=postgres dbname=pgbouncer"
as_server_user() { if [ -n "${RUNAS:-}" ]; then runuser -u "$RUNAS" -- "$@"; else "$@"; fi; }

stop_all() {
    local pid
    if [ -f "$bouncer_dir/pgbouncer.pid" ]; then
        pid=$(cat "$bouncer_dir/pgbouncer.pid")
        kill "$pid" 2>/dev/null || true
        # Gone before the next run binds its port.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    "$root_dir/scripts/server.sh" stop "$server_dir"
}
stop_all
rm -rf "$server_dir" "$bouncer_dir"
trap stop_all EXIT

echo "langgraph: the venv (target/langgraph/venv) and pgmem"
mkdir -p "$work"
# What the venv was made from; pip runs again only when it changes (the package is
# installed editable, so its code is read from langgraph/ as it is).
stamp=$(cat "$tests/requirements.txt" "$root_dir/langgraph/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.pgmem-stamp" 2>/dev/null)" != "$stamp" ]; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$tests/requirements.txt" -e "$root_dir/langgraph"
    echo "$stamp" > "$venv/.pgmem-stamp"
fi
python="$venv/bin/python"
(cd "$root_dir" && cargo pgrx install --pg-config "$PG_CONFIG" >/dev/null)

echo "langgraph: PostgreSQL on $port, PgBouncer on $bouncer_port (transaction mode, a pool of $pool_size)"
"$root_dir/scripts/server.sh" start "$server_dir" "$port"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE DATABASE $db"
"$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" \
    -c "CREATE EXTENSION pgmem"
mkdir -p "$bouncer_dir"
[ -z "${RUNAS:-}" ] || chown "$RUNAS" "$bouncer_dir"
echo '"postgres" ""' > "$bouncer_dir/userlist.txt"
cat > "$bouncer_dir/pgbouncer.ini" <<INI
[databases]
$db = host=127.0.0.1 port=$port dbname=$db
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $bouncer_dir/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = $pool_size
max_client_conn = 200
logfile = $bouncer_dir/pgbouncer.log
pidfile = $bouncer_dir/pgbouncer.pid
INI
chmod a+r "$bouncer_dir"/*
as_server_user /usr/sbin/pgbouncer -d -q "$bouncer_dir/pgbouncer.ini"

echo "langgraph: the adapter's encoding"
"$python" "$tests/codec_test.py" "$root_dir/tests/data/agent-traces"

echo "langgraph: LangGraph's conformance suite, both savers"
"$python" "$tests/conformance.py" --dsn "$dsn" \
    --without-pgmem "host=127.0.0.1 port=$port user=postgres dbname=postgres" > "$work/conformance.log" 2>&1 \
    || { cat "$work/conformance.log"; echo "langgraph: the conformance suite failed" >&2; exit 1; }
grep -E '^(setup|(Async)?PgmemSaver): ' "$work/conformance.log"

echo "langgraph: an agent graph, stopped and resumed in a fresh process"
"$python" "$tests/graph_test.py" --dsn "$dsn"

echo "langgraph: $clients clients at once through PgBouncer (a pool of $pool_size)"
"$python" "$tests/pooler_test.py" --dsn "$bouncer_dsn" --clients "$clients" \
    --admin-dsn "$admin_dsn" --pool-size "$pool_size"

echo "langgraph: the conformance suite through PgBouncer"
"$python" "$tests/conformance.py" --dsn "$bouncer_dsn" > "$work/conformance-pgbouncer.log" 2>&1 \
    || { cat "$work/conformance-pgbouncer.log"; echo "langgraph: the conformance suite failed through PgBouncer" >&2; exit 1; }
grep -E '^(Async)?PgmemSaver: ' "$work/conformance-pgbouncer.log"
echo "langgraph: ok"
