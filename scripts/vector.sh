#!/usr/bin/env bash
# pgmem_vector against a throwaway PostgreSQL 16 with pgmem and pgvector (setup.sh puts
# pgvector there):
#   - pg_regress over pgmem_vector/test (storage, cascade deletes, isolation, exact and
#     HNSW search, fusion, privileges) by scripts/regress.sh: a diff against the
#     expected output fails, and UPDATE=1 copies the results over it instead;
#   - pg_dump of a database with embeddings restored into a new one: every embedding
#     kept, and after the HNSW indexes are built again, the same search results.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
port=${PGMEM_VECTOR_PORT:-28826}
server_dir=$("$root_dir/scripts/scratch-dir.sh" vector)
bindir=$("$PG_CONFIG" --bindir)
connect=(-h 127.0.0.1 -p "$port" -U postgres)
psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "${connect[@]}" "$@"; }

echo "vector: pg_regress"
"$root_dir/scripts/regress.sh" "$root_dir/pgmem_vector/test"
[ "${UPDATE:-0}" = 0 ] || exit 0
trap '"$root_dir/scripts/server.sh" stop "$server_dir"' EXIT
"$root_dir/scripts/server.sh" fresh "$server_dir" "$port"

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
# ef_search above the row count: the rebuilt graph (random, as any HNSW build) is read
# whole, so its results equal the first one's.
searches="SET hnsw.ef_search = 1000;
SELECT user_id, s.episode_id, s.score FROM (VALUES ('u0'), ('u1'), ('u2')) u(user_id),
    pgmem_episode_vector_search(user_id, '[1,0,1,0,1,0,1,0,1,0,1,0,1,0,1,0]', 20) s;
SELECT user_id, s.episode_id, s.score FROM (VALUES ('u0'), ('u1'), ('u2')) u(user_id),
    pgmem_episode_hybrid_search(user_id, 'episode 7', '[0,1,0,1,0,1,0,1,0,1,0,1,0,1,0,1]', 20) s;
SELECT md5(string_agg(user_id || episode_id || embedding::text || coalesce(graph::text, ''), ','
                      ORDER BY user_id, episode_id)) FROM pgmem_episode_embeddings;"
psql -d source -At -c "$searches" > "$server_dir/source.out"
"$bindir/pg_dump" "${connect[@]}" -d source -f "$server_dir/source.sql"
psql -d restored -f "$server_dir/source.sql" >/dev/null
# pg_dump keeps the rows but not indexes built after CREATE EXTENSION: build them again.
[ "$(psql -d restored -At -c "SELECT pgmem_episode_vector_reindex()")" = 1 ]
psql -d restored -At -c "$searches" > "$server_dir/restored.out"
diff "$server_dir/source.out" "$server_dir/restored.out"
[ "$(wc -l < "$server_dir/source.out")" -gt 100 ]
echo "vector: ok"
