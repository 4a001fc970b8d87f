#!/usr/bin/env bash
# make demo: build and install pgmem (release) into PostgreSQL 16, start a throwaway
# server on 127.0.0.1:$PGMEM_DEMO_PORT, CREATE EXTENSION pgmem and run
# examples/quickstart.sql on real tau-bench and ToolBench runs; the server stops on exit.
# With --psql, open an interactive psql on that server instead.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
port=${PGMEM_DEMO_PORT:-28815}
server_dir=$("$root_dir/scripts/scratch-dir.sh" demo)
psql=("$("$PG_CONFIG" --bindir)/psql" -X -h 127.0.0.1 -p "$port" -U postgres -d postgres)

(cd "$root_dir" && cargo pgrx install --release --pg-config "$PG_CONFIG" >/dev/null)
trap '"$root_dir/scripts/server.sh" stop "$server_dir"' EXIT
"$root_dir/scripts/server.sh" fresh "$server_dir" "$port"
"${psql[@]}" -q -c "CREATE EXTENSION pgmem"

if [ "${1:-}" = --psql ]; then
    echo "pgmem on 127.0.0.1:$port (user postgres); the server stops when psql exits"
    "${psql[@]}"
    exit
fi

# The full corpus when it is beside the checkout, else the committed samples; copied
# where the server (which reads them with pg_read_file) can reach them.
corpus() {
    local full="$root_dir/../shared/data/agent-traces/$1.json"
    local sample="$root_dir/tests/data/agent-traces/$1.sample.json"
    if [ -f "$full" ]; then cp "$full" "$server_dir/$1.json"; else cp "$sample" "$server_dir/$1.json"; fi
    chmod a+r "$server_dir/$1.json"
    echo "$server_dir/$1.json"
}
"${psql[@]}" -v ON_ERROR_STOP=1 \
    -v traces="$(corpus taubench_gpt-4o-airline)" \
    -v toolbench="$(corpus toolbench_cot_G1_instruction)" \
    -f "$root_dir/examples/quickstart.sql"
