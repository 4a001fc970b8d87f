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
    -- One row a key, as if the writes came one at a time: of writes with the same
    -- negative idx the last (each replaces the one before), of any other the first
    -- (the later ones are not new). Two rows with one key would fail the upsert (21000).
    SELECT DISTINCT ON (w.i) sid, ns, cid, tid, w.i, w.channel,
           pgmem_checkpoint_put_writes.task_path, w.value_type,
           w.document::@extschema@.pgmem_snapshot, w.blob
    FROM (SELECT coalesce(u.idx, u.n - 1) AS i, u.channel, u.value_type, u.document, u.blob, u.n
          FROM unnest(pgmem_checkpoint_put_writes.channels, pgmem_checkpoint_put_writes.value_types,
                      pgmem_checkpoint_put_writes.documents, pgmem_checkpoint_put_writes.blobs,
                      pgmem_checkpoint_put_writes.idx)
               WITH ORDINALITY AS u (channel, value_type, document, blob, idx, n)) AS w
    ORDER BY w.i, CASE WHEN w.i < 0 THEN -w.n ELSE w.n END
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

-- A checkpoint's complete snapshot and its pending writes in (task_path, task_id, idx)
-- order, as parallel arrays (empty when there are none). One row; NULL snapshot when
-- there is no such checkpoint.
CREATE FUNCTION pgmem_checkpoint_contents(session_id text, checkpoint_ns text, checkpoint_id text)
RETURNS TABLE (
    snapshot pgmem_snapshot,
    write_task_ids text[],
    write_channels text[],
    write_types text[],
    write_values pgmem_snapshot[],
    write_blobs bytea[]
)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
    SELECT @extschema@.pgmem_checkpoint_snapshot(pgmem_checkpoint_contents.session_id, ch.ids,
                                                 ch.frames),
           coalesce(w.task_ids, '{}'), coalesce(w.channels, '{}'), coalesce(w.types, '{}'),
           coalesce(w.vals, '{}'), coalesce(w.blobs, '{}')
    FROM @extschema@.pgmem_checkpoint_chain(pgmem_checkpoint_contents.session_id,
                                            pgmem_checkpoint_contents.checkpoint_ns,
                                            pgmem_checkpoint_contents.checkpoint_id) ch
    CROSS JOIN LATERAL (
        SELECT pg_catalog.array_agg(x.task_id ORDER BY x.task_path, x.task_id, x.idx),
               pg_catalog.array_agg(x.channel ORDER BY x.task_path, x.task_id, x.idx),
               pg_catalog.array_agg(x.value_type ORDER BY x.task_path, x.task_id, x.idx),
               pg_catalog.array_agg(x.value ORDER BY x.task_path, x.task_id, x.idx),
               pg_catalog.array_agg(x.blob ORDER BY x.task_path, x.task_id, x.idx)
        FROM @extschema@.pgmem_checkpoint_writes x
        WHERE x.session_id = pgmem_checkpoint_contents.session_id
          AND x.checkpoint_ns = pgmem_checkpoint_contents.checkpoint_ns
          AND x.checkpoint_id = pgmem_checkpoint_contents.checkpoint_id) AS w (task_ids, channels, types, vals, blobs);
END;

-- Where checkpoint_id stands in the newest-first order: its (saved_at, checkpoint_id).
-- Across namespaces (checkpoint_ns NULL) or sessions (session_id NULL) the id names the
-- newest checkpoint with it. No row when there is none.
CREATE FUNCTION pgmem_checkpoint_position(session_id text, checkpoint_ns text, checkpoint_id text)
RETURNS TABLE (saved_at timestamptz, checkpoint_id text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
    -- Exactly one branch runs; the first is a primary-key probe.
    SELECT c.saved_at, c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
    WHERE pgmem_checkpoint_position.session_id IS NOT NULL
      AND pgmem_checkpoint_position.checkpoint_ns IS NOT NULL
      AND c.session_id = pgmem_checkpoint_position.session_id
      AND c.checkpoint_ns = pgmem_checkpoint_position.checkpoint_ns
      AND c.checkpoint_id = pgmem_checkpoint_position.checkpoint_id
    UNION ALL
    (SELECT c.saved_at, c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
     WHERE (pgmem_checkpoint_position.session_id IS NULL
            OR pgmem_checkpoint_position.checkpoint_ns IS NULL)
       AND (pgmem_checkpoint_position.session_id IS NULL
            OR c.session_id = pgmem_checkpoint_position.session_id)
       AND (pgmem_checkpoint_position.checkpoint_ns IS NULL
            OR c.checkpoint_ns = pgmem_checkpoint_position.checkpoint_ns)
       AND c.checkpoint_id = pgmem_checkpoint_position.checkpoint_id
     ORDER BY c.saved_at DESC LIMIT 1);
END;

-- The body of pgmem_checkpoint_read. PL/pgSQL keeps each branch's plan for the
-- session: a read is executed, not planned again (planning the whole read cost more
-- than running it). A page's checkpoints are rebuilt oldest first, so that each one
-- starts from the document of the one before, which this backend has just made
-- (pgmem_checkpoint_snapshot), and is returned newest first. Exactly one branch runs: one checkpoint by its key, a namespace of
-- a session, all namespaces of a session, or every session. Across namespaces or
-- sessions, checkpoint_id picks one checkpoint by its position in the newest-first
-- index rather than by a scan.
CREATE FUNCTION pgmem_checkpoint_rows(
    p_session_id text,
    p_checkpoint_ns text,
    p_checkpoint_id text,
    p_before_id text,
    p_max_rows integer,
    p_metadata_filter jsonb
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
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text;
    ns text;
    cid text;
    n integer;
    upper_at timestamptz := 'infinity';
    upper_id text := '';
    before_at timestamptz := 'infinity';
    before_cid text := '';
BEGIN
    IF p_session_id IS NOT NULL THEN
        sid := @extschema@.pgmem_checked_id(p_session_id, 'session_id');
    END IF;
    IF p_checkpoint_ns IS NOT NULL THEN
        ns := @extschema@.pgmem_checked_id(p_checkpoint_ns, 'checkpoint_ns');
    END IF;
    IF p_checkpoint_id IS NOT NULL THEN
        cid := @extschema@.pgmem_checked_id(p_checkpoint_id, 'checkpoint_id');
    END IF;
    n := @extschema@.pgmem_checked_limit(p_max_rows, 'max_rows');
    -- The page's bounds, newest first: checkpoint_id's own position (inclusive, where
    -- it is not looked up by its key) and before_id's (exclusive). An unknown one
    -- leaves no rows.
    IF cid IS NOT NULL AND (sid IS NULL OR ns IS NULL) THEN
        SELECT p.saved_at, p.checkpoint_id INTO upper_at, upper_id
        FROM @extschema@.pgmem_checkpoint_position(sid, ns, cid) p;
        IF upper_at IS NULL THEN
            RETURN;
        END IF;
    END IF;
    IF p_before_id IS NOT NULL THEN
        SELECT p.saved_at, p.checkpoint_id INTO before_at, before_cid
        FROM @extschema@.pgmem_checkpoint_position(sid, ns, p_before_id) p;
        IF before_at IS NULL THEN
            RETURN;
        END IF;
    END IF;
    IF sid IS NOT NULL AND ns IS NOT NULL AND cid IS NOT NULL THEN
        -- One checkpoint by its key (LangGraph's get_tuple by id).
        RETURN QUERY
        SELECT c.session_id, c.checkpoint_ns, c.checkpoint_id, c.parent_id, c.label, c.metadata,
               c.saved_at, b.*
        FROM @extschema@.pgmem_checkpoints c
        CROSS JOIN LATERAL @extschema@.pgmem_checkpoint_contents(c.session_id, c.checkpoint_ns,
                                                                 c.checkpoint_id) b
        WHERE c.session_id = sid AND c.checkpoint_ns = ns AND c.checkpoint_id = cid
          AND (c.saved_at, c.checkpoint_id) < (before_at, before_cid)
          AND (p_metadata_filter IS NULL OR c.metadata @> p_metadata_filter);
    ELSIF sid IS NOT NULL AND ns IS NOT NULL THEN
        -- Latest and pages of a namespace: the newest-first index, read in its order
        -- (no bound on saved_at alone, which would tempt the planner to the one on it).
        RETURN QUERY
        SELECT k.session_id, k.checkpoint_ns, k.checkpoint_id, k.parent_id, k.label, k.metadata,
               k.saved_at, b.*
        FROM (SELECT newest.* FROM (SELECT c.* FROM @extschema@.pgmem_checkpoints c
              WHERE c.session_id = sid AND c.checkpoint_ns = ns
                AND (c.saved_at, c.checkpoint_id) < (before_at, before_cid)
                AND (p_metadata_filter IS NULL OR c.metadata @> p_metadata_filter)
              ORDER BY c.saved_at DESC, c.checkpoint_id DESC
              LIMIT n) newest
              ORDER BY newest.saved_at, newest.checkpoint_id) k
        CROSS JOIN LATERAL @extschema@.pgmem_checkpoint_contents(k.session_id, k.checkpoint_ns,
                                                                 k.checkpoint_id) b
        ORDER BY k.saved_at DESC, k.checkpoint_id DESC;
    ELSIF sid IS NOT NULL THEN
        RETURN QUERY
        SELECT k.session_id, k.checkpoint_ns, k.checkpoint_id, k.parent_id, k.label, k.metadata,
               k.saved_at, b.*
        FROM (SELECT newest.* FROM (SELECT c.* FROM @extschema@.pgmem_checkpoints c
              WHERE c.session_id = sid
                AND (c.saved_at, c.checkpoint_id) <= (upper_at, upper_id)
                AND (c.saved_at, c.checkpoint_id) < (before_at, before_cid)
                AND (cid IS NULL OR c.checkpoint_id = cid)
                AND (p_metadata_filter IS NULL OR c.metadata @> p_metadata_filter)
              ORDER BY c.saved_at DESC, c.checkpoint_id DESC
              LIMIT n) newest
              ORDER BY newest.saved_at, newest.checkpoint_id) k
        CROSS JOIN LATERAL @extschema@.pgmem_checkpoint_contents(k.session_id, k.checkpoint_ns,
                                                                 k.checkpoint_id) b
        ORDER BY k.saved_at DESC, k.checkpoint_id DESC;
    ELSE
        RETURN QUERY
        SELECT k.session_id, k.checkpoint_ns, k.checkpoint_id, k.parent_id, k.label, k.metadata,
               k.saved_at, b.*
        FROM (SELECT newest.* FROM (SELECT c.* FROM @extschema@.pgmem_checkpoints c
              WHERE (ns IS NULL OR c.checkpoint_ns = ns)
                AND (c.saved_at, c.checkpoint_id) <= (upper_at, upper_id)
                AND (c.saved_at, c.checkpoint_id) < (before_at, before_cid)
                AND (cid IS NULL OR c.checkpoint_id = cid)
                AND (p_metadata_filter IS NULL OR c.metadata @> p_metadata_filter)
              ORDER BY c.saved_at DESC, c.checkpoint_id DESC
              LIMIT n) newest
              ORDER BY newest.saved_at, newest.checkpoint_id) k
        CROSS JOIN LATERAL @extschema@.pgmem_checkpoint_contents(k.session_id, k.checkpoint_ns,
                                                                 k.checkpoint_id) b
        ORDER BY k.saved_at DESC, k.checkpoint_id DESC;
    END IF;
END
$$;

-- Checkpoints with their snapshots and pending writes, newest first, in one call: a
-- LangGraph get_tuple (max_rows 1) and a page of list alike.
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
    SELECT r.session_id, r.checkpoint_ns, r.checkpoint_id, r.parent_id, r.label, r.metadata,
           r.saved_at, r.snapshot, r.write_task_ids, r.write_channels, r.write_types,
           r.write_values, r.write_blobs
    FROM @extschema@.pgmem_checkpoint_rows(pgmem_checkpoint_read.session_id,
                                           pgmem_checkpoint_read.checkpoint_ns,
                                           pgmem_checkpoint_read.checkpoint_id,
                                           pgmem_checkpoint_read.before_id,
                                           pgmem_checkpoint_read.max_rows,
                                           pgmem_checkpoint_read.metadata_filter) r;
END;
