#!/usr/bin/env bash
# pgmem_vector against a throwaway PostgreSQL 16 with pgmem and pgvector (setup.sh puts
# pgvector there):
#   - pg_regress over pgmem_vector/test (storage, cascade deletes, isolation, exact and
#     HNSW search, fusion, privileges); a diff against the expected output fails, and
#     UPDATE=1 copies the results over it instead;
#   - pg_dump of a database with embeddings restored into a new one: every embedding
#     kept, and after the HNSW indexes are built again, the same search results.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
port=${PGMEM_VECTOR_PORT:-28826}
server_dir=$("$root_dir/scripts/scratch-dir.sh" vector)
out_dir="$root_dir/target/pgmem_vector_regress"
test_dir="$root_dir/pgmem_vector/test"
bindir=$("$PG_CONFIG" --bindir)
connect=(-h 127.0.0.1 -p "$port" -U postgres)
psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "${connect[@]}" "$@"; }

(cd "$root_dir" && cargo pgrx install --pg-config "$PG_CONFIG" >/dev/null)
make -s -C "$root_dir/pgmem_vector" install PG_CONFIG="$PG_CONFIG" >/dev/null
trap '"$root_dir/scripts/server.sh" stop "$server_dir"' EXIT
"$root_dir/scripts/server.sh" fresh "$server_dir" "$port"

echo "vector: pg_regress"
tests=(setup)
for f in "$test_dir"/sql/*.sql; do
    name=$(basename "$f" .sql)
    [ "$name" = setup ] || tests+=("$name")
done
rm -rf "$out_dir"
mkdir -p "$out_dir"
status=0
"$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress" --bindir="$bindir" \
    --inputdir="$test_dir" --outputdir="$out_dir" \
    --host=127.0.0.1 --port="$port" --user=postgres --dbname=pgmem_vector_regress \
    "${tests[@]}" || status=$?
if [ "${UPDATE:-0}" = 1 ]; then
    cp "$out_dir"/results/*.out "$test_dir/expected/"
    echo "vector: expected output updated; review it with git diff"
elif [ "$status" -ne 0 ]; then
    [ -f "$out_dir/regression.diffs" ] && cat "$out_dir/regression.diffs"
    exit "$status"
fi

echo "vector: pg_dump and restore keep every embedding and every search result"
psql -d postgres -c "CREATE DATABASE source" -c "CREATE DATABASE restored"
psql -d source <<'SQL'
CREATE EXTENSION pgmem_vector CASCADE;
SELECT setseed(0.5);
SELECT pgmem_episode_store_many_embedded('u' || (i % 3), array_agg('episode ' || j || ' of ' || i),
    array_agg(('[' || (SELECT string_agg((random() - 0.5)::text, ',') FROM generate_series(1, 16)
                       WHERE j > 0) || ']')::vector))
FROM generate_series(0, 2) i, generate_series(1, 300) j GROUP BY i;
SELECT pgmem_episode_vector_index('u1');
SQL
searches="SELECT user_id, s.episode_id, s.score FROM (VALUES ('u0'), ('u1'), ('u2')) u(user_id),
    pgmem_episode_vector_search(user_id, '[1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0]', 20) s;
SELECT user_id, s.episode_id, s.score FROM (VALUES ('u0'), ('u1'), ('u2')) u(user_id),
    pgmem_episode_hybrid_search(user_id, 'episode 7', '[0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1]', 20) s;
SELECT md5(string_agg(user_id || episode_id || embedding::text || coalesce(graph::text, ''), ','
                      ORDER BY user_id, episode_id)) FROM pgmem_episode_embeddings;"
psql -d source -At -c "$searches" > "$server_dir/source.out"
"$bindir/pg_dump" "${connect[@]}" -d source -f "$server_dir/source.sql"
psql -d restored -f "$server_dir/source.sql" >/dev/null
# pg_dump keeps the rows but not indexes built after CREATE EXTENSION: build them again.
psql -d restored -At -c "SELECT pgmem_episode_vector_index(user_id)
    FROM (SELECT DISTINCT user_id FROM pgmem_episode_embeddings WHERE graph IS NOT NULL) u" \
    | grep -qx 'pgmem_episode_embeddings_hnsw_1'
psql -d restored -At -c "$searches" > "$server_dir/restored.out"
diff "$server_dir/source.out" "$server_dir/restored.out"
[ "$(wc -l < "$server_dir/source.out")" -gt 100 ]
echo "vector: ok"
