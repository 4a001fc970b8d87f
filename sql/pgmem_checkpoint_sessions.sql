-- Operations across sessions (README, "Copy and delete by metadata"): copying a session
-- and deleting the checkpoints whose metadata matches, wherever they are. Both take the
-- lock of every session they write, in one order, so two calls never wait in a cycle.

-- Every checkpoint of source_session_id (all namespaces) and every pending write, into
-- target_session_id: ids, parents, metadata, saved_at and the stored frames as they are,
-- so nothing is compressed again and the copy keeps the source's order. Returns how
-- many checkpoints were copied. A checkpoint id the target already has in the same
-- namespace fails the copy (23505), which then copies nothing.
CREATE FUNCTION pgmem_checkpoint_copy(source_session_id text, target_session_id text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    src text;
    dst text;
    copied bigint;
BEGIN
    src := @extschema@.pgmem_checked_id(pgmem_checkpoint_copy.source_session_id, 'source_session_id');
    dst := @extschema@.pgmem_checked_id(pgmem_checkpoint_copy.target_session_id, 'target_session_id');
    IF src = dst THEN
        RAISE EXCEPTION 'target_session_id must differ from source_session_id ("%")', src
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM @extschema@.pgmem_checkpoint_lock(s) FROM unnest(ARRAY[src, dst]) AS s ORDER BY s;
    INSERT INTO @extschema@.pgmem_checkpoints
        (session_id, checkpoint_ns, checkpoint_id, parent_id, label, metadata, frame, saved_at,
         base_id)
    SELECT dst, c.checkpoint_ns, c.checkpoint_id, c.parent_id, c.label, c.metadata, c.frame,
           c.saved_at, c.base_id
    FROM @extschema@.pgmem_checkpoints c
    WHERE c.session_id = src;
    GET DIAGNOSTICS copied = ROW_COUNT;
    -- A write whose checkpoint is not (yet) saved is copied too; one the target has
    -- under the same key already stays.
    INSERT INTO @extschema@.pgmem_checkpoint_writes
        (session_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, task_path, value_type,
         value, blob)
    SELECT dst, w.checkpoint_ns, w.checkpoint_id, w.task_id, w.idx, w.channel, w.task_path,
           w.value_type, w.value, w.blob
    FROM @extschema@.pgmem_checkpoint_writes w
    WHERE w.session_id = src
    ON CONFLICT ON CONSTRAINT pgmem_checkpoint_writes_pkey DO NOTHING;
    RETURN copied;
END
$$;

-- Deletes, in every session, the checkpoints whose metadata contains any of
-- metadata_filters (jsonb @>), with their pending writes, keeping every other
-- checkpoint loadable; for LangGraph's delete_for_runs, one {"run_id": ...} per run.
-- Each filter must be a JSON object with at least one key: an empty one would match
-- every checkpoint. Reads the whole table: an administrative call, not a per-turn one.
CREATE FUNCTION pgmem_checkpoint_delete_by_metadata(metadata_filters jsonb[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad bigint;
    sid text;
    ns text;
    removed text[];
    deleted bigint := 0;
BEGIN
    IF pgmem_checkpoint_delete_by_metadata.metadata_filters IS NULL THEN
        RAISE EXCEPTION 'metadata_filters must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT min(f.n) INTO bad
    FROM unnest(pgmem_checkpoint_delete_by_metadata.metadata_filters) WITH ORDINALITY AS f (filter, n)
    WHERE f.filter IS NULL OR jsonb_typeof(f.filter) <> 'object' OR f.filter = '{}'::jsonb;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'metadata_filters[%] must be a JSON object with at least one key', bad
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR sid, ns IN
        SELECT DISTINCT c.session_id, c.checkpoint_ns FROM @extschema@.pgmem_checkpoints c
        WHERE c.metadata @> ANY (pgmem_checkpoint_delete_by_metadata.metadata_filters)
        ORDER BY c.session_id, c.checkpoint_ns
    LOOP
        PERFORM @extschema@.pgmem_checkpoint_lock(sid);
        -- Read again under the lock: a save or delete may have come between.
        removed := ARRAY(
            SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
            WHERE c.session_id = sid AND c.checkpoint_ns = ns
              AND c.metadata @> ANY (pgmem_checkpoint_delete_by_metadata.metadata_filters));
        IF cardinality(removed) > 0 THEN
            deleted := deleted + @extschema@.pgmem_checkpoint_remove(sid, ns, removed);
        END IF;
    END LOOP;
    RETURN deleted;
END
$$;
