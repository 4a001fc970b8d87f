#!/usr/bin/env bash
# Tests that need more than one connection or whole-database tools, against a
# throwaway server with pgmem installed:
#   - two clients upserting the same checkpoint key many times: no error, one row;
#   - pg_dump of a database, restored into a new one: every checkpoint (sessions of
#     deltas, with branches and pruned or deleted middles, in two namespaces), pending
#     write and episode back, equal, and the episodes' terms, search statistics and
#     search configuration too; keyframes and a table's snapshots compressed with a
#     trained dictionary read back in the restored database.
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
. "$root_dir/target/pgmem.env"
port=${PGMEM_INTEGRATION_PORT:-28818}
server_dir=$("$root_dir/scripts/scratch-dir.sh" integration)
bindir=$("$PG_CONFIG" --bindir)
connect=(-h 127.0.0.1 -p "$port" -U postgres)
psql() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 "${connect[@]}" "$@"; }
fail() { echo "integration: FAILED: $*" >&2; exit 1; }

(cd "$root_dir" && cargo pgrx install --pg-config "$PG_CONFIG" >/dev/null)
trap '"$root_dir/scripts/server.sh" stop "$server_dir"' EXIT
"$root_dir/scripts/server.sh" fresh "$server_dir" "$port"

echo "integration: concurrent upserts of one key"
psql -d postgres -c "CREATE DATABASE race" -c "CREATE DATABASE source" -c "CREATE DATABASE restored"
psql -d race -c "CREATE EXTENSION pgmem"
"$bindir/pgbench" "${connect[@]}" -n -c 2 -j 2 -t 500 \
    -f "$root_dir/tests/integration/pgbench_same_key.sql" race >"$server_dir/pgbench.log" 2>&1 \
    || { cat "$server_dir/pgbench.log"; fail "pgbench reported errors"; }
rows=$(psql -d race -At -c "SELECT count(*) FROM pgmem_checkpoints")
[ "$rows" = 1 ] || fail "expected one row after concurrent upserts, found $rows"

echo "integration: pg_dump and restore keep every checkpoint and episode"
traces="$root_dir/tests/data/agent-traces/taubench_gpt-4o-airline.sample.json"
cp "$traces" "$server_dir/runs.json"
chmod a+r "$server_dir/runs.json"
psql -d source -v runs="$server_dir/runs.json" <<'SQL'
CREATE EXTENSION pgmem;
-- A dictionary trained from every run's trajectory so far at each message: keyframes
-- and a table's snapshots are compressed with it, and need it after the restore.
SELECT pgmem_dictionary_train(array_agg(p.prefix::pgmem_snapshot), 16384) AS dictionary
FROM json_array_elements(pg_read_file(:'runs')::json) AS r(run),
     generate_series(1, json_array_length(r.run -> 'traj')) AS t(k),
     LATERAL (SELECT json_agg(m ORDER BY i) AS prefix
              FROM json_array_elements(r.run -> 'traj') WITH ORDINALITY AS e(m, i)
              WHERE i <= t.k) AS p \gset
SET pgmem.compression_dictionary = :dictionary;
CREATE TABLE agent_state (n int PRIMARY KEY, state pgmem_snapshot NOT NULL);
INSERT INTO agent_state
SELECT r.n, r.run -> 'traj' FROM json_array_elements(pg_read_file(:'runs')::json) WITH ORDINALITY AS r(run, n);
-- One checkpoint per message of each run: the trajectory so far.
SELECT count(pgmem_checkpoint_save('run-' || r.n, p.prefix, 'turn-' || lpad(t.k::text, 3, '0')))
FROM json_array_elements(pg_read_file(:'runs')::json) WITH ORDINALITY AS r(run, n),
     generate_series(1, json_array_length(r.run -> 'traj')) AS t(k),
     LATERAL (SELECT json_agg(m ORDER BY i) AS prefix
              FROM json_array_elements(r.run -> 'traj') WITH ORDINALITY AS e(m, i)
              WHERE i <= t.k) AS p;
-- Branches (two children of one turn), then middles gone: a keyframe with dependents
-- deleted in each run, and one run pruned to its newest 3.
SELECT count(pgmem_checkpoint_save(c.session_id, ('{"branch": ' || b || '}')::pgmem_snapshot,
                                   'branch-' || b, parent_id => c.checkpoint_id))
FROM pgmem_checkpoints c, generate_series(1, 2) AS b
WHERE c.checkpoint_id = 'turn-005';
SELECT sum(pgmem_checkpoint_delete(k.session_id, k.checkpoint_id))
FROM pgmem_checkpoints k
WHERE k.base_id IS NULL AND k.checkpoint_id <> 'turn-001'
  AND EXISTS (SELECT FROM pgmem_checkpoints d
              WHERE d.session_id = k.session_id AND d.base_id = k.checkpoint_id);
SELECT pgmem_checkpoint_prune(ARRAY['run-1'], 3);
-- A subgraph's checkpoints in a namespace of their own, and pending writes (JSON and
-- bytes), one of them of a checkpoint not saved.
SELECT count(pgmem_checkpoint_save(c.session_id, l.snapshot, c.checkpoint_id,
                                   parent_id => c.parent_id, checkpoint_ns => 'subgraph:1'))
FROM pgmem_checkpoints c, pgmem_checkpoint_load(c.session_id, c.checkpoint_id) l
WHERE c.checkpoint_ns = '' AND c.checkpoint_id LIKE 'turn-00%';
SELECT sum(pgmem_checkpoint_put_writes(c.session_id, c.checkpoint_id, 'task-1', ARRAY['messages', 'raw'],
                                       ARRAY['json', 'bytes'], ARRAY[json_build_object('id', c.checkpoint_id)::text, NULL],
                                       ARRAY[NULL, sha256(convert_to(c.checkpoint_id, 'UTF8'))],
                                       checkpoint_ns => c.checkpoint_ns))
FROM pgmem_checkpoints c;
SELECT pgmem_checkpoint_put_writes('run-1', 'not-saved', 'task-1', ARRAY['messages'], ARRAY['json'],
                                   ARRAY['"pending"']);
-- And each run's first user message as an episode of its user.
SELECT count(pgmem_episode_store(r.run -> 'info' -> 'task' ->> 'user_id',
                                 r.run -> 'traj' -> 1 ->> 'content', (r.run -> 'info')::jsonb, 'run-' || r.n))
FROM json_array_elements(pg_read_file(:'runs')::json) WITH ORDINALITY AS r(run, n);
-- A configuration other than the default, which the restore must index episodes with.
SELECT pgmem_episode_set_search_config('simple');
SQL
"$bindir/pg_dump" "${connect[@]}" -d source -f "$server_dir/source.sql"
psql -d restored -f "$server_dir/source.sql" >/dev/null
digest="SELECT count(*) || ':' || md5(string_agg(c.session_id || c.checkpoint_ns || c.checkpoint_id
          || l.snapshot::text || md5(c.frame) || coalesce(c.base_id, '-') || c.metadata::text
          || c.saved_at::text, '|' ORDER BY c.session_id, c.checkpoint_ns, c.checkpoint_id))
          || ':' || (SELECT count(*) || ':' || md5(string_agg(user_id || episode_id || content
                     || metadata::text || inserted_at::text, '|' ORDER BY user_id, episode_id))
                     FROM pgmem_episodes)
          || ':' || (SELECT count(*) || ':' || md5(string_agg(session_id || checkpoint_ns
                     || checkpoint_id || task_id || idx || task_path || channel || value_type
                     || coalesce(value::text, '-') || coalesce(encode(blob, 'hex'), '-'),
                     '|' ORDER BY session_id, checkpoint_ns, checkpoint_id, task_id, idx))
                     FROM pgmem_checkpoint_writes)
          || ':' || (SELECT md5(string_agg(user_id || episode_id || terms::text, '|'
                     ORDER BY user_id, episode_id)) FROM pgmem_episodes)
          || ':' || (SELECT md5(string_agg(user_id || episodes || '/' || length, '|' ORDER BY user_id))
                     FROM pgmem_episode_users)
          || ':' || (SELECT md5(string_agg(user_id || lexeme || episodes, '|' ORDER BY user_id, lexeme))
                     FROM pgmem_episode_lexemes)
          || ':' || pgmem_search_config()::text
          || ':' || (SELECT count(*) || ':' || md5(string_agg(n || state::text, '|' ORDER BY n))
                     FROM agent_state)
        FROM pgmem_checkpoints c, pgmem_checkpoint_load(c.session_id, c.checkpoint_id, c.checkpoint_ns) l"
deltas=$(psql -d source -At -c "SELECT count(base_id) FROM pgmem_checkpoints")
[ "$deltas" -gt 50 ] || fail "expected sessions of deltas, found $deltas deltas"
compact=$(psql -d source -At -c "SELECT count(*) FROM pgmem_checkpoints WHERE get_byte(frame, 4) = 3")
[ "$compact" -gt 10 ] || fail "expected keyframes compressed with the dictionary, found $compact"
compact=$(psql -d source -At -c "SELECT count(pgmem_snapshot_dictionary(state)) FROM agent_state")
[ "$compact" -gt 10 ] || fail "expected snapshots compressed with the dictionary, found $compact"
namespaced=$(psql -d source -At -c "SELECT count(*) FROM pgmem_checkpoints WHERE checkpoint_ns <> ''")
[ "$namespaced" -gt 10 ] || fail "expected checkpoints in a namespace, found $namespaced"
before=$(psql -d source -At -c "$digest")
after=$(psql -d restored -At -c "$digest")
[ "${before%%:*}" -gt 100 ] || fail "expected many checkpoints, found ${before%%:*}"
[ "$before" = "$after" ] || fail "restored checkpoints differ: $before vs $after"
episodes=$(echo "$before" | cut -d: -f3)
[ "$episodes" -gt 5 ] || fail "expected episodes, found $episodes"
writes=$(echo "$before" | cut -d: -f5)
[ "$writes" -gt 100 ] || fail "expected pending writes, found $writes"
echo "integration: ok (${before%%:*} checkpoints, $writes pending writes and $episodes episodes" \
    "dumped and restored equal)"
