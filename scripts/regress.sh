#!/usr/bin/env bash
# pg_regress over tests/pg_regress (or the test folder given, with sql/ and expected/,
# as pgmem_vector/test) against a throwaway server with pgmem and pgmem_vector
# installed: `setup` first, then every other test. A diff against the committed expected output
# fails. With UPDATE=1 the results are copied over the expected files instead (for
# deliberate changes; review the git diff).
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
port=${PGMEM_REGRESS_PORT:-28817}
server_dir=$("$root_dir/scripts/scratch-dir.sh" regress)
test_dir=${1:-$root_dir/tests/pg_regress}
out_dir="$root_dir/target/pg_regress/$(basename "$(dirname "$test_dir")")-$(basename "$test_dir")"

(cd "$root_dir" && cargo pgrx install --pg-config "$PG_CONFIG" >/dev/null)
make -s -C "$root_dir/pgmem_vector" install PG_CONFIG="$PG_CONFIG" >/dev/null
rm -rf "$out_dir"
trap '"$root_dir/scripts/server.sh" stop "$server_dir"' EXIT
"$root_dir/scripts/server.sh" fresh "$server_dir" "$port"

tests=(setup)
for f in "$test_dir"/sql/*.sql; do
    name=$(basename "$f" .sql)
    [ "$name" = setup ] || tests+=("$name")
done
mkdir -p "$out_dir"
status=0
"$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress" \
    --bindir="$("$PG_CONFIG" --bindir)" \
    --inputdir="$test_dir" --outputdir="$out_dir" \
    --host=127.0.0.1 --port="$port" --user=postgres --dbname=pgmem_regress \
    "${tests[@]}" || status=$?
if [ "${UPDATE:-0}" = 1 ]; then
    cp "$out_dir"/results/*.out "$test_dir/expected/"
    echo "regress: expected output updated; review it with git diff"
    exit 0
fi
if [ "$status" -ne 0 ] && [ -f "$out_dir/regression.diffs" ]; then
    cat "$out_dir/regression.diffs"
fi
exit "$status"
