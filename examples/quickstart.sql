-- pgmem quickstart: a real agent trajectory goes in as JSON and comes back equal.
-- Run by `make demo`, which passes the path of a tau-bench file as :traces.
\pset pager off
\echo '== tau-bench runs (sierra-research/tau-bench, MIT): one JSON document per run'
CREATE TEMP TABLE runs AS
SELECT n, run -> 'info' -> 'task' ->> 'user_id' AS user_id, run -> 'traj' AS traj
FROM json_array_elements(pg_read_file(:'traces')::json) WITH ORDINALITY AS r(run, n);
SELECT count(*) AS runs, sum(json_array_length(traj)) AS messages FROM runs;

\echo '== One trajectory in: plain JSON, cast implicitly to pgmem_snapshot'
CREATE TABLE trajectories (
    run      bigint PRIMARY KEY,
    snapshot pgmem_snapshot NOT NULL,
    as_jsonb jsonb NOT NULL          -- the same document the usual way, to compare
);
INSERT INTO trajectories SELECT n, traj, traj FROM runs WHERE n = 1;

\echo '== ... and out: equal to its jsonb, message for message'
SELECT snapshot::jsonb = as_jsonb AS equal_to_jsonb,
       json_array_length(snapshot::json) AS messages
FROM trajectories;
SELECT i AS message, m ->> 'role' AS role,
       left(regexp_replace(coalesce(m ->> 'content',
                                    'calls ' || (m -> 'tool_calls' -> 0 -> 'function' ->> 'name')),
                           '\s+', ' ', 'g'), 60) AS content
FROM trajectories, jsonb_array_elements(snapshot::jsonb) WITH ORDINALITY AS e(m, i)
ORDER BY i LIMIT 5;

\echo '== Sizes side by side: JSON text, jsonb as stored, CBOR (raw), pgmem as stored'
SELECT octet_length(snapshot::text) AS json_text_bytes,
       pg_column_size(as_jsonb) AS jsonb_stored_bytes,
       pgmem_snapshot_raw_size(snapshot) AS raw_cbor_bytes,
       pgmem_snapshot_stored_size(snapshot) AS pgmem_stored_bytes,
       round(pgmem_snapshot_stored_size(snapshot)::numeric / pg_column_size(as_jsonb), 2)
           AS pgmem_to_jsonb_ratio
FROM trajectories;

\echo '== Every run: all equal, and the median size ratio'
INSERT INTO trajectories SELECT n, traj, traj FROM runs WHERE n > 1;
SELECT count(*) AS runs,
       bool_and(snapshot::jsonb = as_jsonb) AS all_equal,
       sum(pg_column_size(as_jsonb)) AS jsonb_stored_bytes,
       sum(pgmem_snapshot_stored_size(snapshot)) AS pgmem_stored_bytes,
       round(percentile_cont(0.5) WITHIN GROUP (
           ORDER BY pgmem_snapshot_stored_size(snapshot)::numeric / pg_column_size(as_jsonb))::numeric, 2)
           AS median_ratio
FROM trajectories;

\echo '== Checkpoints: the first run saved after every assistant turn, as its agent would'
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT row_number() OVER (ORDER BY i) AS turn, i AS upto,
               left(regexp_replace(coalesce(m ->> 'content', 'calls ' || (m -> 'tool_calls' -> 0 -> 'function' ->> 'name')), '\s+', ' ', 'g'), 40) AS said
        FROM runs, json_array_elements(traj) WITH ORDINALITY AS e(m, i)
        WHERE n = 1 AND m ->> 'role' = 'assistant'
        ORDER BY i
    LOOP
        PERFORM pgmem_checkpoint_save(
            'tau-bench-run-1',
            (SELECT json_agg(m ORDER BY i)
             FROM runs, json_array_elements(traj) WITH ORDINALITY AS e(m, i)
             WHERE n = 1 AND i <= t.upto),
            checkpoint_id => format('turn-%s', lpad(t.turn::text, 2, '0')),
            label => t.said,
            metadata => jsonb_build_object('messages', t.upto),
            parent_id => CASE WHEN t.turn > 1 THEN format('turn-%s', lpad((t.turn - 1)::text, 2, '0')) END);
    END LOOP;
END
$$;

\echo '== ... listed newest first, without their bodies'
SELECT checkpoint_id, parent_id, label, metadata ->> 'messages' AS messages, raw_bytes, stored_bytes
FROM pgmem_checkpoint_list('tau-bench-run-1', 8);

\echo '== ... the latest loaded: the run so far, message for message'
SELECT l.checkpoint_id, json_array_length(l.snapshot::json) AS messages,
       l.snapshot::jsonb = (SELECT jsonb_agg(m ORDER BY i)
                            FROM runs, jsonb_array_elements(traj::jsonb) WITH ORDINALITY AS e(m, i)
                            WHERE n = 1 AND i <= (l.metadata ->> 'messages')::int) AS equals_the_run_so_far
FROM pgmem_checkpoint_load('tau-bench-run-1') AS l;

\echo '== ... and one from the middle, resumed where it was'
SELECT checkpoint_id, label, json_array_length(snapshot::json) AS messages,
       snapshot::jsonb -> -1 ->> 'role' AS last_role
FROM pgmem_checkpoint_load('tau-bench-run-1', 'turn-05');

\echo '== Episodes: every tau-bench run becomes an episode of its user'
-- query: the first user message; metadata: the plan (the task''s actions), the tool
-- trajectory (each call with its result) and the final answer.
SELECT count(pgmem_episode_store(
           r.user_id,
           (SELECT m ->> 'content' FROM json_array_elements(r.traj) WITH ORDINALITY AS e(m, i)
            WHERE m ->> 'role' = 'user' ORDER BY i LIMIT 1),
           jsonb_build_object(
               'plan', run -> 'info' -> 'task' -> 'actions',
               'tool_trajectory', (
                   SELECT coalesce(jsonb_agg(jsonb_build_object(
                              'tool', c -> 'function' ->> 'name',
                              'arguments', c -> 'function' ->> 'arguments',
                              -- the first answer after the call (agents reuse call ids)
                              'result', (SELECT t ->> 'content'
                                         FROM json_array_elements(r.traj) WITH ORDINALITY AS tm(t, k)
                                         WHERE k > i AND t ->> 'tool_call_id' = c ->> 'id'
                                         ORDER BY k LIMIT 1))
                              ORDER BY i, j), '[]')
                   FROM json_array_elements(r.traj) WITH ORDINALITY AS e(m, i),
                        json_array_elements(CASE json_typeof(m -> 'tool_calls')
                                            WHEN 'array' THEN m -> 'tool_calls' ELSE '[]' END)
                            WITH ORDINALITY AS calls(c, j)),
               'final_answer', (
                   SELECT m ->> 'content' FROM json_array_elements(r.traj) WITH ORDINALITY AS e(m, i)
                   WHERE m ->> 'role' = 'assistant' AND m ->> 'content' IS NOT NULL
                   ORDER BY i DESC LIMIT 1),
               'reward', run ->> 'reward'),
           'tau-bench-' || r.n)) AS tau_bench_episodes
FROM (SELECT n, user_id, traj, run
      FROM json_array_elements(pg_read_file(:'traces')::json) WITH ORDINALITY AS x(run, n)
      JOIN runs USING (n)) AS r;

\echo '== ... and ToolBench episodes, spread over 20 users, one batch call per user'
SELECT sum(pgmem_episode_store_many(user_id, contents, metadata)) AS toolbench_episodes
FROM (SELECT 'toolbench-user-' || (n % 20) AS user_id,
             array_agg(e.value ->> 'query' ORDER BY n) AS contents,
             array_agg(jsonb_build_object('final_answer', e.value -> 'answer' ->> 'final_answer',
                                          'source', 'ToolBench ' || e.key) ORDER BY n) AS metadata
      FROM json_each(pg_read_file(:'toolbench')::json) WITH ORDINALITY AS e(key, value, n)
      GROUP BY 1) AS batches;
SELECT count(DISTINCT user_id) AS users, count(*) AS episodes FROM pgmem_episodes;

\echo '== Keyword search for one user (mia_li_3668): her episodes mentioning Seattle'
SELECT episode_id, left(content, 70) AS content
FROM pgmem_episode_search('mia_li_3668', 'seattle', 5);

\echo '== Similarity search for her, with a question in plain words'
SELECT episode_id, score, left(content, 60) AS content,
       left(metadata ->> 'final_answer', 50) AS final_answer
FROM pgmem_episode_similarity_search('mia_li_3668',
                                     'Can you book me a one way flight from New York to Seattle?', 3);

\echo '== ... nothing of anyone else, though other users have such episodes too'
SELECT count(*) AS other_users_episodes_mentioning_seattle, count(DISTINCT user_id) AS other_users
FROM pgmem_episodes
WHERE user_id <> 'mia_li_3668' AND content ILIKE '%seattle%';
