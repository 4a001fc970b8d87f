#!/usr/bin/env bash
# pgmem under stress, on a throwaway server (make test-stress; tests/stress/):
#   episodes  the per-user episode cap with 8 concurrent writers (exactly the newest
#             kept; none lost without a cap), pgmem_episode_store_many batches with
#             overlapping shuffled ids from 8 clients (no error, no deadlock), and a
#             non-superuser refused when it changes pgmem.max_episodes_per_user;
#   deltas    6 clients saving (with and without parent, over their own ids), deleting,
#             pruning and expiring delta checkpoints of 3 shared sessions while 2 read
#             them: no error, no deadlock, every checkpoint left loads as last saved;
#   crash     clients saving checkpoints and episodes while the server is stopped with
#             `pg_ctl stop -m immediate`, then while one backend is killed with SIGKILL:
#             every acknowledged save loads back equal, every row reads, amcheck is clean;
#   cancel    statement_timeout and pg_cancel_backend during text input and text output
#             of a ~30 MB document: 57014 soon after, and the connection still works.
# `scripts/stress.sh crash` runs only some parts. Installs psycopg (the version of
# tests/clients/python/requirements.txt) into a venv under target/stress.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
port=${PGMEM_STRESS_PORT:-28823}
server_dir=$("$root_dir/scripts/scratch-dir.sh" stress)
bindir=$("$PG_CONFIG" --bindir)
work="$root_dir/target/stress"
started=$SECONDS

mkdir -p "$work"
[ -x "$work/venv/bin/python" ] || python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check \
    "$(grep -i '^psycopg' "$root_dir/tests/clients/python/requirements.txt")"
(cd "$root_dir" && cargo pgrx install --pg-config "$PG_CONFIG" >/dev/null)
trap '"$root_dir/scripts/server.sh" stop "$server_dir"' EXIT
"$root_dir/scripts/server.sh" fresh "$server_dir" "$port"

status=0
"$work/venv/bin/python" "$root_dir/tests/stress/stress.py" --root "$root_dir" \
    --server-dir "$server_dir" --port "$port" --bindir "$bindir" --runas "${RUNAS:-}" \
    --work "$work" "$@" || status=$?
if [ "$status" -ne 0 ]; then
    echo "stress: FAILED after $((SECONDS - started)) s (server log: $server_dir/server.log)" >&2
    exit "$status"
fi
echo "stress: ok in $((SECONDS - started)) s"
