-- Rows written by the old version (run before ALTER EXTENSION pgmem UPDATE), through
-- functions every version has, from real agent traces; upgrade_expected keeps what
-- must come back afterwards. psql -v traces=DIR names the trace directory.
\set ON_ERROR_STOP on
\set taubench `cat :traces/taubench_gpt-4o-airline.sample.json`
\set toolbench `cat :traces/toolbench_cot_G1_instruction.sample.json`
SELECT count(pgmem_checkpoint_save('session-' || r.n % 3, r.run, 'turn-' || r.n,
                                   metadata => jsonb_build_object('task', r.run -> 'task_id')))
FROM jsonb_array_elements(:'taubench'::jsonb) WITH ORDINALITY AS r(run, n);
SELECT count(pgmem_episode_store('user-' || length(t.id) % 2, t.run ->> 'query', t.run, t.id))
FROM jsonb_each(:'toolbench'::jsonb) AS t(id, run)
WHERE t.run ->> 'query' IS NOT NULL;
CREATE TABLE upgrade_expected AS
    SELECT 'checkpoint' AS kind, session_id AS owner, checkpoint_id AS id,
           snapshot::jsonb AS doc
    FROM pgmem_checkpoints
    UNION ALL
    SELECT 'episode', user_id, episode_id,
           jsonb_build_object('content', content, 'metadata', metadata)
    FROM pgmem_episodes;
