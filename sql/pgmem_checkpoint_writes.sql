-- Pending writes (README, "Pending writes"): what the tasks of a step wrote before the
-- step's checkpoint was saved, kept with the checkpoint they started from so that a
-- resumed run does not do them again (LangGraph's put_writes). A value is either JSON,
-- held as a pgmem_snapshot, or bytes that pgmem does not read; value_type is the
-- caller's tag for how to read it back.
--
-- A write names its checkpoint without a foreign key: frameworks save a step's writes
-- in the background, and they may commit before their checkpoint does. They go with
-- their checkpoint all the same (pgmem_checkpoint_remove, pgmem_checkpoint_delete).

CREATE TABLE pgmem_checkpoint_writes (
    session_id    text NOT NULL CHECK (@extschema@.pgmem_id_fits(session_id, 'session_id')),
    checkpoint_ns text NOT NULL DEFAULT ''
        CHECK (@extschema@.pgmem_id_fits(checkpoint_ns, 'checkpoint_ns')),
    checkpoint_id text NOT NULL CHECK (@extschema@.pgmem_id_fits(checkpoint_id, 'checkpoint_id')),
    task_id       text NOT NULL CHECK (@extschema@.pgmem_id_fits(task_id, 'task_id')),
    idx           integer NOT NULL,
    channel       text NOT NULL,
    task_path     text NOT NULL DEFAULT '',
    value_type    text NOT NULL,
    value         pgmem_snapshot NULL,
    blob          bytea NULL,
    CONSTRAINT pgmem_checkpoint_writes_value_check CHECK ((value IS NULL) <> (blob IS NULL)),
    CONSTRAINT pgmem_checkpoint_writes_pkey
        PRIMARY KEY (session_id, checkpoint_ns, checkpoint_id, task_id, idx)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pgmem_checkpoint_writes', '');

-- One call per task: its writes, as parallel arrays. A write whose idx is negative (a
-- special channel: an error, an interrupt) replaces the one stored under its key; any
-- other is kept only if its key is new, so a task that runs again writes nothing twice.
CREATE FUNCTION pgmem_checkpoint_put_writes(
    session_id text,
    checkpoint_id text,
    task_id text,
    channels text[],
    value_types text[],
    documents text[] DEFAULT NULL,
    blobs bytea[] DEFAULT NULL,
    idx integer[] DEFAULT NULL,
    task_path text DEFAULT '',
    checkpoint_ns text DEFAULT ''
) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text;
    ns text;
    cid text;
    tid text;
    n integer;
    bad bigint;
    written bigint;
BEGIN
    sid := @extschema@.pgmem_checked_id(pgmem_checkpoint_put_writes.session_id, 'session_id');
    cid := @extschema@.pgmem_checked_id(pgmem_checkpoint_put_writes.checkpoint_id, 'checkpoint_id');
    tid := @extschema@.pgmem_checked_id(pgmem_checkpoint_put_writes.task_id, 'task_id');
    ns := @extschema@.pgmem_checked_id(pgmem_checkpoint_put_writes.checkpoint_ns, 'checkpoint_ns');
    IF pgmem_checkpoint_put_writes.task_path IS NULL THEN
        RAISE EXCEPTION 'task_path must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    n := cardinality(pgmem_checkpoint_put_writes.channels);
    IF n IS NULL THEN
        RAISE EXCEPTION 'channels must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF coalesce(cardinality(pgmem_checkpoint_put_writes.value_types), -1) <> n
       OR coalesce(cardinality(pgmem_checkpoint_put_writes.documents), n) <> n
       OR coalesce(cardinality(pgmem_checkpoint_put_writes.blobs), n) <> n
       OR coalesce(cardinality(pgmem_checkpoint_put_writes.idx), n) <> n THEN
        RAISE EXCEPTION 'value_types, documents, blobs and idx must each have one element per channel (%)', n
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'documents, blobs and idx may be NULL.';
    END IF;
    SELECT min(w.n) INTO bad
    FROM unnest(pgmem_checkpoint_put_writes.channels, pgmem_checkpoint_put_writes.value_types,
                pgmem_checkpoint_put_writes.documents, pgmem_checkpoint_put_writes.blobs)
         WITH ORDINALITY AS w (channel, value_type, document, blob, n)
    WHERE w.channel IS NULL OR w.value_type IS NULL OR (w.document IS NULL) = (w.blob IS NULL);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'write % must have a channel, a value_type and one of document or blob', bad
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO @extschema@.pgmem_checkpoint_writes AS s
        (session_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, task_path, value_type,
         value, blob)
    SELECT sid, ns, cid, tid, coalesce(w.idx, w.n - 1), w.channel,
           pgmem_checkpoint_put_writes.task_path, w.value_type,
           w.document::@extschema@.pgmem_snapshot, w.blob
    FROM unnest(pgmem_checkpoint_put_writes.channels, pgmem_checkpoint_put_writes.value_types,
                pgmem_checkpoint_put_writes.documents, pgmem_checkpoint_put_writes.blobs,
                pgmem_checkpoint_put_writes.idx)
         WITH ORDINALITY AS w (channel, value_type, document, blob, idx, n)
    ON CONFLICT ON CONSTRAINT pgmem_checkpoint_writes_pkey DO UPDATE
        SET channel = excluded.channel,
            task_path = excluded.task_path,
            value_type = excluded.value_type,
            value = excluded.value,
            blob = excluded.blob
        WHERE excluded.idx < 0;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;

-- Checkpoints with their snapshots and pending writes, newest first, in one statement:
-- a LangGraph get_tuple (max_rows 1) and a page of list alike. Three branches, of which
-- exactly one runs: a namespace of a session, all namespaces of a session, or every
-- session. checkpoint_id picks one checkpoint (found by its position in the index, not
-- by a scan); before_id ends the page before that checkpoint.
CREATE FUNCTION pgmem_checkpoint_read(
    session_id text,
    checkpoint_ns text DEFAULT '',
    checkpoint_id text DEFAULT NULL,
    before_id text DEFAULT NULL,
    max_rows integer DEFAULT 1,
    metadata_filter jsonb DEFAULT NULL
) RETURNS TABLE (
    session_id text,
    checkpoint_ns text,
    checkpoint_id text,
    parent_id text,
    label text,
    metadata jsonb,
    saved_at timestamptz,
    snapshot pgmem_snapshot,
    write_task_ids text[],
    write_channels text[],
    write_types text[],
    write_values pgmem_snapshot[],
    write_blobs bytea[]
)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.session_id, c.checkpoint_ns, c.checkpoint_id, c.parent_id, c.label, c.metadata,
           c.saved_at, @extschema@.pgmem_checkpoint_snapshot(c.session_id, ch.ids, ch.frames),
           coalesce(w.task_ids, '{}'), coalesce(w.channels, '{}'), coalesce(w.types, '{}'),
           coalesce(w.vals, '{}'), coalesce(w.blobs, '{}')
    FROM (
        (SELECT k.session_id, k.checkpoint_ns, k.checkpoint_id, k.parent_id, k.label,
                k.metadata, k.saved_at
         FROM @extschema@.pgmem_checkpoints k
         WHERE pgmem_checkpoint_read.session_id IS NOT NULL
           AND pgmem_checkpoint_read.checkpoint_ns IS NOT NULL
           AND k.session_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_read.session_id, 'session_id')
           AND k.checkpoint_ns = @extschema@.pgmem_checked_id(pgmem_checkpoint_read.checkpoint_ns, 'checkpoint_ns')
           AND (k.saved_at, k.checkpoint_id) <= (
               -- Gates come first: the planner folds a condition list from the left.
               SELECT p.saved_at, p.checkpoint_id FROM @extschema@.pgmem_checkpoints p
               WHERE pgmem_checkpoint_read.checkpoint_id IS NOT NULL
                 AND p.session_id = pgmem_checkpoint_read.session_id
                 AND p.checkpoint_ns = pgmem_checkpoint_read.checkpoint_ns
                 AND p.checkpoint_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_read.checkpoint_id, 'checkpoint_id')
               UNION ALL
               SELECT 'infinity'::timestamptz, '' WHERE pgmem_checkpoint_read.checkpoint_id IS NULL)
           AND (k.saved_at, k.checkpoint_id) < (
               SELECT b.saved_at, b.checkpoint_id FROM @extschema@.pgmem_checkpoints b
               WHERE b.session_id = pgmem_checkpoint_read.session_id
                 AND b.checkpoint_ns = pgmem_checkpoint_read.checkpoint_ns
                 AND b.checkpoint_id = pgmem_checkpoint_read.before_id
               UNION ALL
               SELECT 'infinity'::timestamptz, '' WHERE pgmem_checkpoint_read.before_id IS NULL)
           AND (pgmem_checkpoint_read.checkpoint_id IS NULL
                OR k.checkpoint_id = pgmem_checkpoint_read.checkpoint_id)
           AND (pgmem_checkpoint_read.metadata_filter IS NULL
                OR k.metadata @> pgmem_checkpoint_read.metadata_filter)
         ORDER BY k.saved_at DESC, k.checkpoint_id DESC
         LIMIT @extschema@.pgmem_checked_limit(pgmem_checkpoint_read.max_rows, 'max_rows'))
        UNION ALL
        (SELECT k.session_id, k.checkpoint_ns, k.checkpoint_id, k.parent_id, k.label,
                k.metadata, k.saved_at
         FROM @extschema@.pgmem_checkpoints k
         WHERE pgmem_checkpoint_read.checkpoint_ns IS NULL
           AND (pgmem_checkpoint_read.session_id IS NULL
                OR k.session_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_read.session_id, 'session_id'))
           AND (pgmem_checkpoint_read.checkpoint_id IS NULL
                OR k.checkpoint_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_read.checkpoint_id, 'checkpoint_id'))
           -- Across namespaces (and sessions) before_id names the newest checkpoint by
           -- that id.
           AND (k.saved_at, k.checkpoint_id) < (
               (SELECT b.saved_at, b.checkpoint_id FROM @extschema@.pgmem_checkpoints b
                WHERE (pgmem_checkpoint_read.session_id IS NULL
                       OR b.session_id = pgmem_checkpoint_read.session_id)
                  AND b.checkpoint_id = pgmem_checkpoint_read.before_id
                ORDER BY b.saved_at DESC LIMIT 1)
               UNION ALL
               SELECT 'infinity'::timestamptz, '' WHERE pgmem_checkpoint_read.before_id IS NULL)
           AND (pgmem_checkpoint_read.metadata_filter IS NULL
                OR k.metadata @> pgmem_checkpoint_read.metadata_filter)
         ORDER BY k.saved_at DESC, k.checkpoint_id DESC
         LIMIT @extschema@.pgmem_checked_limit(pgmem_checkpoint_read.max_rows, 'max_rows'))
        UNION ALL
        (SELECT k.session_id, k.checkpoint_ns, k.checkpoint_id, k.parent_id, k.label,
                k.metadata, k.saved_at
         FROM @extschema@.pgmem_checkpoints k
         WHERE pgmem_checkpoint_read.session_id IS NULL
           AND pgmem_checkpoint_read.checkpoint_ns IS NOT NULL
           AND k.checkpoint_ns = @extschema@.pgmem_checked_id(pgmem_checkpoint_read.checkpoint_ns, 'checkpoint_ns')
           AND (pgmem_checkpoint_read.checkpoint_id IS NULL
                OR k.checkpoint_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_read.checkpoint_id, 'checkpoint_id'))
           AND (k.saved_at, k.checkpoint_id) < (
               (SELECT b.saved_at, b.checkpoint_id FROM @extschema@.pgmem_checkpoints b
                WHERE b.checkpoint_ns = pgmem_checkpoint_read.checkpoint_ns
                  AND b.checkpoint_id = pgmem_checkpoint_read.before_id
                ORDER BY b.saved_at DESC LIMIT 1)
               UNION ALL
               SELECT 'infinity'::timestamptz, '' WHERE pgmem_checkpoint_read.before_id IS NULL)
           AND (pgmem_checkpoint_read.metadata_filter IS NULL
                OR k.metadata @> pgmem_checkpoint_read.metadata_filter)
         ORDER BY k.saved_at DESC, k.checkpoint_id DESC
         LIMIT @extschema@.pgmem_checked_limit(pgmem_checkpoint_read.max_rows, 'max_rows'))
    ) c
    CROSS JOIN LATERAL @extschema@.pgmem_checkpoint_chain(c.session_id, c.checkpoint_ns,
                                                          c.checkpoint_id) ch
    CROSS JOIN LATERAL (
        SELECT pg_catalog.array_agg(x.task_id ORDER BY x.task_path, x.task_id, x.idx),
               pg_catalog.array_agg(x.channel ORDER BY x.task_path, x.task_id, x.idx),
               pg_catalog.array_agg(x.value_type ORDER BY x.task_path, x.task_id, x.idx),
               pg_catalog.array_agg(x.value ORDER BY x.task_path, x.task_id, x.idx),
               pg_catalog.array_agg(x.blob ORDER BY x.task_path, x.task_id, x.idx)
        FROM @extschema@.pgmem_checkpoint_writes x
        WHERE x.session_id = c.session_id
          AND x.checkpoint_ns = c.checkpoint_ns
          AND x.checkpoint_id = c.checkpoint_id) AS w (task_ids, channels, types, vals, blobs)
    ORDER BY c.saved_at DESC, c.checkpoint_id DESC;
END;
