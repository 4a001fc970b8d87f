-- After ALTER EXTENSION pgmem UPDATE: every row seed.sql wrote loads through the new
-- version's functions and equals what was written, and writing still works.
\set ON_ERROR_STOP on
DO $$
DECLARE
    expected bigint;
    equal bigint;
BEGIN
    SELECT count(*), count(*) FILTER (WHERE same) INTO expected, equal FROM (
        SELECT e.doc = (SELECT l.snapshot::jsonb
                        FROM pgmem_checkpoint_load(e.owner, e.id) AS l) AS same
        FROM upgrade_expected e WHERE e.kind = 'checkpoint'
        UNION ALL
        SELECT e.doc = (SELECT jsonb_build_object('content', s.content, 'metadata', s.metadata)
                        FROM pgmem_episode_list(e.owner, 10000) AS s
                        WHERE s.episode_id = e.id)
        FROM upgrade_expected e WHERE e.kind = 'episode') AS rows;
    IF expected = 0 OR equal IS DISTINCT FROM expected THEN
        RAISE EXCEPTION 'after the update % of % rows load as written', equal, expected;
    END IF;
    PERFORM pgmem_checkpoint_save('session-new', '{"after": "update"}');
    IF (SELECT snapshot::jsonb FROM pgmem_checkpoint_load('session-new'))
       IS DISTINCT FROM '{"after": "update"}'::jsonb THEN
        RAISE EXCEPTION 'a checkpoint saved after the update does not load';
    END IF;
    RAISE NOTICE 'upgrade: % rows load as written', expected;
END
$$;
DO $$
DECLARE
    readable bigint;
BEGIN
    SELECT count(*) INTO readable FROM upgrade_legacy l
    WHERE (SELECT snapshot::jsonb FROM pgmem_checkpoint_load('legacy', l.id)) = l.doc
      AND (SELECT length(snapshot::text) > 0 FROM pgmem_checkpoint_load('legacy', l.id));
    IF readable <> 4 THEN
        RAISE EXCEPTION 'after the update % of 4 values older versions accepted are readable', readable;
    END IF;
    RAISE NOTICE 'upgrade: the 4 values older versions accepted and 0.3.0 refuses print and cast';
END
$$;
-- Rows stored before the update are keyframes: checkpoints saved after it are deltas
-- against them, and deleting such a keyframe re-encodes what is stored against it.
DO $$
DECLARE
    before jsonb;
    old_keyframe text;
    readable bigint;
BEGIN
    SELECT snapshot::jsonb, checkpoint_id INTO before, old_keyframe
    FROM pgmem_checkpoint_load('session-1');
    PERFORM pgmem_checkpoint_save('session-1', (before || '{"after": 1}')::pgmem_snapshot, 'after-1');
    PERFORM pgmem_checkpoint_save('session-1', (before || '{"after": 2}')::pgmem_snapshot, 'after-2');
    IF (SELECT array_agg(base_id ORDER BY checkpoint_id) FROM pgmem_checkpoints
        WHERE session_id = 'session-1' AND checkpoint_id LIKE 'after-%')
       IS DISTINCT FROM ARRAY[old_keyframe, 'after-1'] THEN
        RAISE EXCEPTION 'checkpoints saved after the update are not deltas against the rows before';
    END IF;
    PERFORM pgmem_checkpoint_delete('session-1', old_keyframe);
    SELECT count(*) INTO readable FROM (VALUES ('after-1', 1), ('after-2', 2)) AS a(id, n)
    WHERE (SELECT snapshot::jsonb FROM pgmem_checkpoint_load('session-1', a.id))
          = before || jsonb_build_object('after', a.n);
    IF readable <> 2 THEN
        RAISE EXCEPTION 'after deleting their old base % of 2 checkpoints load as saved', readable;
    END IF;
    RAISE NOTICE 'upgrade: new checkpoints are deltas against old rows and survive their deletion';
END
$$;
-- Namespaces and pending writes on the updated database: rows from before the update
-- are the root namespace's; the same id saved into another namespace is another
-- checkpoint; writes against it (JSON and bytes) and against an old row read back with
-- their checkpoints, and go when their checkpoint is deleted.
DO $$
DECLARE
    old_row record;
    got record;
BEGIN
    IF EXISTS (SELECT FROM pgmem_checkpoints WHERE checkpoint_ns <> '') THEN
        RAISE EXCEPTION 'rows from before the update are not all in the root namespace';
    END IF;
    SELECT session_id, checkpoint_id INTO old_row FROM pgmem_checkpoints
    WHERE session_id = 'session-2' ORDER BY checkpoint_id LIMIT 1;
    PERFORM pgmem_checkpoint_save('session-2', '{"in": "subgraph"}', old_row.checkpoint_id,
                                  checkpoint_ns => 'subgraph:1');
    PERFORM pgmem_checkpoint_put_writes('session-2', old_row.checkpoint_id, 'task-1',
                                        ARRAY['messages', 'raw'], ARRAY['json', 'bytes'],
                                        ARRAY['{"n": 1}', NULL], ARRAY[NULL, '\x01ff']::bytea[],
                                        checkpoint_ns => 'subgraph:1');
    PERFORM pgmem_checkpoint_put_writes('session-2', old_row.checkpoint_id, 'task-2',
                                        ARRAY['messages'], ARRAY['json'], ARRAY['"old"']);
    SELECT r.snapshot::jsonb AS doc, r.write_channels, r.write_values::text[] AS vals,
           r.write_blobs INTO got
    FROM pgmem_checkpoint_read('session-2', 'subgraph:1', old_row.checkpoint_id) r;
    IF got.doc IS DISTINCT FROM '{"in": "subgraph"}'::jsonb
       OR got.write_channels IS DISTINCT FROM ARRAY['messages', 'raw']
       OR got.vals IS DISTINCT FROM ARRAY['{"n":1}', NULL]
       OR got.write_blobs IS DISTINCT FROM ARRAY[NULL, '\x01ff'::bytea] THEN
        RAISE EXCEPTION 'a namespace''s checkpoint and its writes read back as %', got;
    END IF;
    SELECT r.snapshot::jsonb AS doc, r.write_values::text[] AS vals INTO got
    FROM pgmem_checkpoint_read('session-2', '', old_row.checkpoint_id) r;
    IF got.doc IS DISTINCT FROM (SELECT e.doc FROM upgrade_expected e
                                 WHERE e.kind = 'checkpoint' AND e.owner = 'session-2'
                                   AND e.id = old_row.checkpoint_id)
       OR got.vals IS DISTINCT FROM ARRAY['"old"'] THEN
        RAISE EXCEPTION 'a row from before the update and its writes read back as %', got;
    END IF;
    PERFORM pgmem_checkpoint_delete('session-2', old_row.checkpoint_id, 'subgraph:1');
    IF (SELECT count(*) FROM pgmem_checkpoint_writes WHERE session_id = 'session-2') <> 1 THEN
        RAISE EXCEPTION 'deleting a namespace''s checkpoint did not delete just its writes';
    END IF;
    RAISE NOTICE 'upgrade: namespaces and pending writes work, on old rows too';
END
$$;

-- 0.6.0: every episode stored before the update is indexed by it, and ranked search
-- finds each one by its own text; the statistics equal a count from scratch.
DO $$
DECLARE
    missed bigint;
BEGIN
    SELECT count(*) INTO missed
    FROM upgrade_expected e
    WHERE e.kind = 'episode'
      AND e.id NOT IN (SELECT s.episode_id
                       FROM pgmem_episodes x,
                            pgmem_episode_similarity_search(e.owner, x.content, 10000) s
                       WHERE x.user_id = e.owner AND x.episode_id = e.id);
    IF missed > 0 THEN
        RAISE EXCEPTION 'ranked search misses % episodes stored before the update', missed;
    END IF;
    IF EXISTS (SELECT user_id, lexeme, episodes FROM pgmem_episode_lexemes
               EXCEPT SELECT e.user_id, t.lexeme, count(*) FROM pgmem_episodes e, unnest(e.terms) t GROUP BY 1, 2)
       OR EXISTS (SELECT e.user_id, t.lexeme, count(*) FROM pgmem_episodes e, unnest(e.terms) t GROUP BY 1, 2
                  EXCEPT SELECT user_id, lexeme, episodes FROM pgmem_episode_lexemes)
       OR EXISTS (SELECT user_id, episodes FROM pgmem_episode_users
                  EXCEPT SELECT user_id, count(*) FROM pgmem_episodes GROUP BY 1) THEN
        RAISE EXCEPTION 'the search statistics after the update differ from a count';
    END IF;
    RAISE NOTICE 'upgrade: episodes from before the update are indexed and ranked';
END
$$;
