-- pgmem 0.4.0 -> 0.5.0: checkpoint namespaces, pending writes, one read for LangGraph's
-- get_tuple and list, copy and delete by metadata.
--   * pgmem_checkpoints gets checkpoint_ns (default '', every row stored before is in
--     the root namespace), now part of the primary key and of the newest-first index;
--     save, save_json, load, list and delete take it as a trailing optional argument;
--   * a checkpoint keeps the place in the order it got when first saved: saving over it
--     no longer moves it to the front;
--   * pgmem_checkpoint_writes and pgmem_checkpoint_put_writes keep pending writes;
--     pgmem_checkpoint_read returns checkpoints with their snapshots and writes;
--     pgmem_checkpoint_copy and pgmem_checkpoint_delete_by_metadata work across sessions;
--     prune keeps the latest of every namespace.
-- Released scripts are never edited: a later change gets a new pgmem--0.5.0--X.sql.
\echo Use "ALTER EXTENSION pgmem UPDATE TO '0.5.0'" to load this file. \quit

-- Functions whose arguments change, dependents first; all are created again below.
DROP FUNCTION pgmem_checkpoint_save(text, pgmem_snapshot, text, text, jsonb, text);
DROP FUNCTION pgmem_checkpoint_save_json(text, text, text, text, jsonb, text);
DROP FUNCTION pgmem_checkpoint_put(text, pgmem_snapshot, text, text, text, jsonb, text);
DROP FUNCTION pgmem_checkpoint_load(text, text);
DROP FUNCTION pgmem_checkpoint_list(text, integer, text, jsonb);
DROP FUNCTION pgmem_checkpoint_delete(text, text);
DROP FUNCTION pgmem_checkpoint_superseded(text, timestamptz, text);
DROP FUNCTION pgmem_checkpoint_remove(text, text[]);
DROP FUNCTION pgmem_checkpoint_unlink(text, text[]);
DROP FUNCTION pgmem_checkpoint_base(text, text, text);
DROP FUNCTION pgmem_checkpoint_chain(text, text);

ALTER TABLE pgmem_checkpoints ADD COLUMN checkpoint_ns text NOT NULL DEFAULT ''
    CONSTRAINT pgmem_checkpoints_checkpoint_ns_check
    CHECK (@extschema@.pgmem_id_fits(checkpoint_ns, 'checkpoint_ns'));
ALTER TABLE pgmem_checkpoints DROP CONSTRAINT pgmem_checkpoints_pkey;
ALTER TABLE pgmem_checkpoints
    ADD CONSTRAINT pgmem_checkpoints_pkey PRIMARY KEY (session_id, checkpoint_ns, checkpoint_id);
DROP INDEX pgmem_checkpoints_newest;
CREATE INDEX pgmem_checkpoints_newest
    ON pgmem_checkpoints (session_id, checkpoint_ns, saved_at DESC, checkpoint_id DESC);

-- A checkpoint's chain, keyframe first: the frames its document is read from. One row;
-- NULL arrays when there is no such checkpoint. Chains stay within a namespace.
CREATE FUNCTION pgmem_checkpoint_chain(session_id text, checkpoint_ns text, checkpoint_id text)
RETURNS TABLE (ids text[], frames bytea[])
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH RECURSIVE chain (checkpoint_id, base_id, frame, n) AS (
        SELECT c.checkpoint_id, c.base_id, c.frame, 1
        FROM @extschema@.pgmem_checkpoints c
        WHERE c.session_id = pgmem_checkpoint_chain.session_id
          AND c.checkpoint_ns = pgmem_checkpoint_chain.checkpoint_ns
          AND c.checkpoint_id = pgmem_checkpoint_chain.checkpoint_id
        UNION ALL
        SELECT b.checkpoint_id, b.base_id, b.frame, chain.n + 1
        FROM chain
        -- One primary-key probe per step, whatever the planner thinks of the session's
        -- size (the LIMIT keeps it from turning this into a join over the session).
        CROSS JOIN LATERAL (
            SELECT k.checkpoint_id, k.base_id, k.frame
            FROM @extschema@.pgmem_checkpoints k
            WHERE k.session_id = pgmem_checkpoint_chain.session_id
              AND k.checkpoint_ns = pgmem_checkpoint_chain.checkpoint_ns
              AND k.checkpoint_id = chain.base_id
            LIMIT 1) b
        -- Chains are never longer than the largest keyframe interval (1000); this bound
        -- ends a cycle that only rows written by hand could make (then reported damaged).
        WHERE chain.n <= 1000
    )
    SELECT pg_catalog.array_agg(chain.checkpoint_id ORDER BY chain.n DESC),
           pg_catalog.array_agg(chain.frame ORDER BY chain.n DESC)
    FROM chain;
END;

-- Before the checkpoints in `removed` go, every checkpoint of the namespace stored
-- against one of them is re-encoded against the nearest checkpoint before it that stays
-- (or as a keyframe). Returns how many were re-encoded. The caller holds the session's
-- lock.
CREATE FUNCTION pgmem_checkpoint_unlink(session_id text, checkpoint_ns text, removed text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text := pgmem_checkpoint_unlink.session_id;
    ns text := pgmem_checkpoint_unlink.checkpoint_ns;
    dependent text;
    chain record;
    stored record;
    n bigint := 0;
BEGIN
    FOR dependent IN
        SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
        WHERE c.session_id = sid AND c.checkpoint_ns = ns
          AND c.base_id = ANY (pgmem_checkpoint_unlink.removed)
          AND c.checkpoint_id <> ALL (pgmem_checkpoint_unlink.removed)
    LOOP
        -- Ancestors' documents never change, only their frames: the order is free.
        SELECT ch.ids, ch.frames INTO chain
        FROM @extschema@.pgmem_checkpoint_chain(sid, ns, dependent) ch;
        SELECT r.frame, r.base_id INTO stored
        FROM @extschema@.pgmem_checkpoint_rebase(sid, chain.ids, chain.frames,
                                                 pgmem_checkpoint_unlink.removed) r;
        UPDATE @extschema@.pgmem_checkpoints c SET frame = stored.frame, base_id = stored.base_id
        WHERE c.session_id = sid AND c.checkpoint_ns = ns AND c.checkpoint_id = dependent;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- Delete checkpoints `removed` of a namespace and their pending writes, keeping
-- everything else loadable; the caller holds the session's lock. Returns how many
-- checkpoints were deleted.
CREATE FUNCTION pgmem_checkpoint_remove(session_id text, checkpoint_ns text, removed text[])
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text := pgmem_checkpoint_remove.session_id;
    ns text := pgmem_checkpoint_remove.checkpoint_ns;
    deleted bigint;
BEGIN
    PERFORM @extschema@.pgmem_checkpoint_unlink(sid, ns, pgmem_checkpoint_remove.removed);
    DELETE FROM @extschema@.pgmem_checkpoint_writes w
    WHERE w.session_id = sid AND w.checkpoint_ns = ns
      AND w.checkpoint_id = ANY (pgmem_checkpoint_remove.removed);
    DELETE FROM @extschema@.pgmem_checkpoints c
    WHERE c.session_id = sid AND c.checkpoint_ns = ns
      AND c.checkpoint_id = ANY (pgmem_checkpoint_remove.removed);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

-- The base of a new checkpoint checkpoint_id: parent_id when it is in the namespace,
-- else the namespace's latest other checkpoint; NULL when there is none. One row; a
-- table function, so that the planner inlines it into the caller's statement.
CREATE FUNCTION pgmem_checkpoint_base(session_id text, checkpoint_ns text, checkpoint_id text,
                                      parent_id text)
RETURNS TABLE (base_id text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
    SELECT coalesce(
        (SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
         WHERE c.session_id = pgmem_checkpoint_base.session_id
           AND c.checkpoint_ns = pgmem_checkpoint_base.checkpoint_ns
           AND c.checkpoint_id = pgmem_checkpoint_base.parent_id
           AND c.checkpoint_id <> pgmem_checkpoint_base.checkpoint_id),
        (SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
         WHERE c.session_id = pgmem_checkpoint_base.session_id
           AND c.checkpoint_ns = pgmem_checkpoint_base.checkpoint_ns
           AND c.checkpoint_id <> pgmem_checkpoint_base.checkpoint_id
         ORDER BY c.saved_at DESC, c.checkpoint_id DESC
         LIMIT 1));
END;

-- A save (pgmem_checkpoint_save): snapshot or document (JSON text) is the checkpoint.
-- A checkpoint keeps the place in its namespace's order it got when first saved:
-- saving over it replaces what it holds, not when it was saved (README, "Order").
CREATE FUNCTION pgmem_checkpoint_put(
    session_id text,
    snapshot pgmem_snapshot,
    document text,
    checkpoint_id text,
    label text,
    metadata jsonb,
    parent_id text,
    checkpoint_ns text
) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text;
    ns text;
    cid text;
    pid text;
    bid text;
    chain record;
    stored record;
BEGIN
    -- Arguments are checked first, so an error names the argument and nothing else.
    IF pgmem_checkpoint_put.snapshot IS NULL AND pgmem_checkpoint_put.document IS NULL THEN
        RAISE EXCEPTION 'snapshot must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    sid := @extschema@.pgmem_checked_id(pgmem_checkpoint_put.session_id, 'session_id');
    ns := @extschema@.pgmem_checked_id(pgmem_checkpoint_put.checkpoint_ns, 'checkpoint_ns');
    cid := @extschema@.pgmem_checked_id(
        coalesce(pgmem_checkpoint_put.checkpoint_id, @extschema@.pgmem_uuidv7()::text),
        'checkpoint_id');
    IF pgmem_checkpoint_put.parent_id IS NOT NULL THEN
        pid := @extschema@.pgmem_checked_id(pgmem_checkpoint_put.parent_id, 'parent_id');
    END IF;
    PERFORM @extschema@.pgmem_checkpoint_lock(sid);
    -- In one statement, the common case: a new checkpoint whose base is the checkpoint
    -- this backend saved or read last (pgmem_checkpoint_encode returns no row when it
    -- does not have the base's document).
    INSERT INTO @extschema@.pgmem_checkpoints
        (session_id, checkpoint_ns, checkpoint_id, parent_id, label, metadata, frame, saved_at,
         base_id)
    SELECT sid, ns, cid, pid, pgmem_checkpoint_put.label,
           coalesce(pgmem_checkpoint_put.metadata, '{}'), e.frame, clock_timestamp(), e.base_id
    FROM @extschema@.pgmem_checkpoint_base(sid, ns, cid, pid) AS b (id)
    CROSS JOIN LATERAL @extschema@.pgmem_checkpoint_encode(
        sid, cid, CASE WHEN b.id IS NOT NULL THEN ARRAY[b.id] END,
        CASE WHEN b.id IS NOT NULL THEN ARRAY[(
            SELECT k.frame FROM @extschema@.pgmem_checkpoints k
            WHERE k.session_id = sid AND k.checkpoint_ns = ns AND k.checkpoint_id = b.id)] END,
        pgmem_checkpoint_put.snapshot, pgmem_checkpoint_put.document) e
    WHERE NOT EXISTS (SELECT FROM @extschema@.pgmem_checkpoints x
                      WHERE x.session_id = sid AND x.checkpoint_ns = ns AND x.checkpoint_id = cid);
    IF FOUND THEN
        RETURN cid;
    END IF;
    -- Here either this saves over a checkpoint, or this backend lacks the base's document.
    -- Saving over a checkpoint replaces it: what is stored against it moves off first
    -- (looking for that reads the whole namespace, so only when there is one).
    IF EXISTS (SELECT FROM @extschema@.pgmem_checkpoints x
               WHERE x.session_id = sid AND x.checkpoint_ns = ns AND x.checkpoint_id = cid) THEN
        PERFORM @extschema@.pgmem_checkpoint_unlink(sid, ns, ARRAY[cid]);
    END IF;
    -- The base's whole chain, read here.
    SELECT b.base_id INTO bid FROM @extschema@.pgmem_checkpoint_base(sid, ns, cid, pid) b;
    SELECT ch.ids, ch.frames INTO chain FROM @extschema@.pgmem_checkpoint_chain(sid, ns, bid) ch;
    SELECT e.frame, e.base_id INTO stored
    FROM @extschema@.pgmem_checkpoint_encode(sid, cid, chain.ids, chain.frames,
                                             pgmem_checkpoint_put.snapshot,
                                             pgmem_checkpoint_put.document) e;
    INSERT INTO @extschema@.pgmem_checkpoints AS c
        (session_id, checkpoint_ns, checkpoint_id, parent_id, label, metadata, frame, saved_at,
         base_id)
    VALUES (sid, ns, cid, pid, pgmem_checkpoint_put.label,
            coalesce(pgmem_checkpoint_put.metadata, '{}'), stored.frame, clock_timestamp(),
            stored.base_id)
    ON CONFLICT ON CONSTRAINT pgmem_checkpoints_pkey DO UPDATE
        SET parent_id = excluded.parent_id,
            label = excluded.label,
            metadata = excluded.metadata,
            frame = excluded.frame,
            base_id = excluded.base_id;
    RETURN cid;
END
$$;

-- The two ways to save: a snapshot (a pgmem_snapshot, or JSON text, jsonb or json cast
-- to one: a literal or an untyped parameter, text or binary, is a pgmem_snapshot), or
-- JSON text given to pgmem_checkpoint_save_json, encoded once, straight into the frame.
-- PL/pgSQL rather than SQL: a call is made as it is, where a SQL body would be read
-- and planned into every calling statement (a save per turn pays for that).
CREATE FUNCTION pgmem_checkpoint_save(
    session_id text,
    snapshot pgmem_snapshot,
    checkpoint_id text DEFAULT NULL,
    label text DEFAULT NULL,
    metadata jsonb DEFAULT '{}',
    parent_id text DEFAULT NULL,
    checkpoint_ns text DEFAULT ''
) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.pgmem_checkpoint_put(
        pgmem_checkpoint_save.session_id, pgmem_checkpoint_save.snapshot, NULL,
        pgmem_checkpoint_save.checkpoint_id, pgmem_checkpoint_save.label,
        pgmem_checkpoint_save.metadata, pgmem_checkpoint_save.parent_id,
        pgmem_checkpoint_save.checkpoint_ns);
END
$$;

CREATE FUNCTION pgmem_checkpoint_save_json(
    session_id text,
    document text,
    checkpoint_id text DEFAULT NULL,
    label text DEFAULT NULL,
    metadata jsonb DEFAULT '{}',
    parent_id text DEFAULT NULL,
    checkpoint_ns text DEFAULT ''
) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN @extschema@.pgmem_checkpoint_put(
        pgmem_checkpoint_save_json.session_id, NULL, pgmem_checkpoint_save_json.document,
        pgmem_checkpoint_save_json.checkpoint_id, pgmem_checkpoint_save_json.label,
        pgmem_checkpoint_save_json.metadata, pgmem_checkpoint_save_json.parent_id,
        pgmem_checkpoint_save_json.checkpoint_ns);
END
$$;

CREATE FUNCTION pgmem_checkpoint_load(session_id text, checkpoint_id text DEFAULT NULL,
                                      checkpoint_ns text DEFAULT '')
RETURNS TABLE (
    checkpoint_id text,
    parent_id text,
    label text,
    metadata jsonb,
    saved_at timestamptz,
    snapshot pgmem_snapshot
)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.checkpoint_id, c.parent_id, c.label, c.metadata, c.saved_at,
           @extschema@.pgmem_checkpoint_snapshot(c.session_id, ch.ids, ch.frames)
    FROM (
        -- Exactly one branch runs: each is gated on whether a checkpoint_id was given.
        (SELECT l.session_id, l.checkpoint_ns, l.checkpoint_id, l.parent_id, l.label,
                l.metadata, l.saved_at
         FROM @extschema@.pgmem_checkpoints l
         WHERE pgmem_checkpoint_load.checkpoint_id IS NULL
           AND l.session_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.session_id, 'session_id')
           AND l.checkpoint_ns = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.checkpoint_ns, 'checkpoint_ns')
         ORDER BY l.saved_at DESC, l.checkpoint_id DESC
         LIMIT 1)
        UNION ALL
        SELECT g.session_id, g.checkpoint_ns, g.checkpoint_id, g.parent_id, g.label,
               g.metadata, g.saved_at
        FROM @extschema@.pgmem_checkpoints g
        WHERE pgmem_checkpoint_load.checkpoint_id IS NOT NULL
          AND g.session_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.session_id, 'session_id')
          AND g.checkpoint_ns = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.checkpoint_ns, 'checkpoint_ns')
          AND g.checkpoint_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.checkpoint_id, 'checkpoint_id')
    ) c
    CROSS JOIN LATERAL @extschema@.pgmem_checkpoint_chain(c.session_id, c.checkpoint_ns,
                                                          c.checkpoint_id) ch;
END;

CREATE FUNCTION pgmem_checkpoint_list(
    session_id text,
    max_rows integer DEFAULT 100,
    before_id text DEFAULT NULL,
    metadata_filter jsonb DEFAULT NULL,
    checkpoint_ns text DEFAULT ''
) RETURNS TABLE (
    checkpoint_id text,
    parent_id text,
    label text,
    metadata jsonb,
    saved_at timestamptz,
    raw_bytes integer,
    stored_bytes integer
)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.checkpoint_id, c.parent_id, c.label, c.metadata, c.saved_at,
           @extschema@.pgmem_frame_raw_size(c.frame),
           pg_catalog.octet_length(c.frame)
    FROM @extschema@.pgmem_checkpoints c
    WHERE c.session_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_list.session_id, 'session_id')
      AND c.checkpoint_ns = @extschema@.pgmem_checked_id(pgmem_checkpoint_list.checkpoint_ns, 'checkpoint_ns')
      -- The page ends before before_id (no rows when it is not in the namespace);
      -- without before_id the bound is above every saved_at.
      AND (c.saved_at, c.checkpoint_id) < (
          SELECT b.saved_at, b.checkpoint_id
          FROM @extschema@.pgmem_checkpoints b
          WHERE b.session_id = pgmem_checkpoint_list.session_id
            AND b.checkpoint_ns = pgmem_checkpoint_list.checkpoint_ns
            AND b.checkpoint_id = pgmem_checkpoint_list.before_id
          UNION ALL
          SELECT 'infinity'::timestamptz, ''
          WHERE pgmem_checkpoint_list.before_id IS NULL)
      AND (pgmem_checkpoint_list.metadata_filter IS NULL
           OR c.metadata @> pgmem_checkpoint_list.metadata_filter)
    ORDER BY c.saved_at DESC, c.checkpoint_id DESC
    LIMIT @extschema@.pgmem_checked_limit(pgmem_checkpoint_list.max_rows, 'max_rows');
END;

-- Deletes checkpoints and their pending writes: one checkpoint, or all of a namespace,
-- or (checkpoint_ns NULL) all of the session.
CREATE FUNCTION pgmem_checkpoint_delete(session_id text, checkpoint_id text DEFAULT NULL,
                                        checkpoint_ns text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text;
    ns text;
    cid text;
    holder text;
    deleted bigint := 0;
BEGIN
    sid := @extschema@.pgmem_checked_id(pgmem_checkpoint_delete.session_id, 'session_id');
    IF pgmem_checkpoint_delete.checkpoint_ns IS NOT NULL THEN
        ns := @extschema@.pgmem_checked_id(pgmem_checkpoint_delete.checkpoint_ns, 'checkpoint_ns');
    END IF;
    IF pgmem_checkpoint_delete.checkpoint_id IS NOT NULL THEN
        cid := @extschema@.pgmem_checked_id(pgmem_checkpoint_delete.checkpoint_id, 'checkpoint_id');
    END IF;
    PERFORM @extschema@.pgmem_checkpoint_lock(sid);
    IF cid IS NULL THEN
        DELETE FROM @extschema@.pgmem_checkpoint_writes w
        WHERE w.session_id = sid AND (ns IS NULL OR w.checkpoint_ns = ns);
        DELETE FROM @extschema@.pgmem_checkpoints c
        WHERE c.session_id = sid AND (ns IS NULL OR c.checkpoint_ns = ns);
        GET DIAGNOSTICS deleted = ROW_COUNT;
        RETURN deleted;
    END IF;
    -- One checkpoint: in its namespace, or in every namespace that has one by that id.
    FOR holder IN
        SELECT c.checkpoint_ns FROM @extschema@.pgmem_checkpoints c
        WHERE c.session_id = sid AND c.checkpoint_id = cid
          AND (ns IS NULL OR c.checkpoint_ns = ns)
    LOOP
        deleted := deleted + @extschema@.pgmem_checkpoint_remove(sid, holder, ARRAY[cid]);
    END LOOP;
    RETURN deleted;
END
$$;

-- Whether a newer checkpoint of the namespace exists: the latest is never superseded.
CREATE FUNCTION pgmem_checkpoint_superseded(session_id text, checkpoint_ns text,
                                            saved_at timestamptz, checkpoint_id text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT EXISTS (
        SELECT FROM @extschema@.pgmem_checkpoints n
        WHERE n.session_id = pgmem_checkpoint_superseded.session_id
          AND n.checkpoint_ns = pgmem_checkpoint_superseded.checkpoint_ns
          AND (n.saved_at, n.checkpoint_id)
              > (pgmem_checkpoint_superseded.saved_at, pgmem_checkpoint_superseded.checkpoint_id));
END;

CREATE OR REPLACE FUNCTION pgmem_checkpoint_prune(session_ids text[] DEFAULT NULL, keep integer DEFAULT 1)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text;
    ns text;
    removed text[];
    deleted bigint := 0;
BEGIN
    IF pgmem_checkpoint_prune.keep IS NULL OR pgmem_checkpoint_prune.keep < 0 THEN
        RAISE EXCEPTION 'keep must be 0 or more, not %', coalesce(pgmem_checkpoint_prune.keep::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Sessions in one order, so that two prunes never wait for each other in a cycle.
    FOR sid IN
        SELECT DISTINCT c.session_id FROM @extschema@.pgmem_checkpoints c
        WHERE pgmem_checkpoint_prune.session_ids IS NULL
           OR c.session_id = ANY (pgmem_checkpoint_prune.session_ids)
        ORDER BY c.session_id
    LOOP
        PERFORM @extschema@.pgmem_checkpoint_lock(sid);
        -- The latest `keep` of every namespace stay.
        FOR ns IN
            SELECT DISTINCT c.checkpoint_ns FROM @extschema@.pgmem_checkpoints c
            WHERE c.session_id = sid
        LOOP
            removed := ARRAY(
                SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
                WHERE c.session_id = sid AND c.checkpoint_ns = ns
                ORDER BY c.saved_at DESC, c.checkpoint_id DESC
                OFFSET pgmem_checkpoint_prune.keep);
            IF cardinality(removed) > 0 THEN
                deleted := deleted + @extschema@.pgmem_checkpoint_remove(sid, ns, removed);
            END IF;
        END LOOP;
    END LOOP;
    RETURN deleted;
END
$$;

CREATE OR REPLACE FUNCTION pgmem_checkpoint_expire(
    older_than interval,
    keep_latest boolean DEFAULT true,
    max_rows integer DEFAULT 10000
) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cutoff timestamptz;
    sids text[];
    nss text[];
    cids text[];
    sid text;
    ns text;
    removed text[];
    deleted bigint := 0;
BEGIN
    cutoff := @extschema@.pgmem_expiry_cutoff(pgmem_checkpoint_expire.older_than);
    IF pgmem_checkpoint_expire.keep_latest IS NULL THEN
        RAISE EXCEPTION 'keep_latest must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The oldest checkpoints first, at most max_rows, never a namespace's latest when
    -- keep_latest: a scheduler calling again gets the next batch.
    SELECT pg_catalog.array_agg(o.session_id), pg_catalog.array_agg(o.checkpoint_ns),
           pg_catalog.array_agg(o.checkpoint_id)
    INTO sids, nss, cids
    FROM (SELECT c.session_id, c.checkpoint_ns, c.checkpoint_id
          FROM @extschema@.pgmem_checkpoints c
          WHERE c.saved_at < cutoff
            AND (NOT pgmem_checkpoint_expire.keep_latest
                 OR @extschema@.pgmem_checkpoint_superseded(c.session_id, c.checkpoint_ns,
                                                            c.saved_at, c.checkpoint_id))
          ORDER BY c.saved_at
          LIMIT @extschema@.pgmem_checked_limit(pgmem_checkpoint_expire.max_rows, 'max_rows')) o;
    -- Sessions in one order, so that two callers never wait for each other in a cycle.
    FOR sid, ns IN
        SELECT DISTINCT u.s, u.n FROM unnest(sids, nss) AS u (s, n) ORDER BY u.s, u.n
    LOOP
        PERFORM @extschema@.pgmem_checkpoint_lock(sid);
        -- Checked again under the lock: a save or delete may have come between.
        removed := ARRAY(
            SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
            WHERE c.session_id = sid AND c.checkpoint_ns = ns
              AND c.checkpoint_id IN (SELECT u.c_id FROM unnest(sids, nss, cids) AS u (s_id, n_id, c_id)
                                      WHERE u.s_id = sid AND u.n_id = ns)
              AND c.saved_at < cutoff
              AND (NOT pgmem_checkpoint_expire.keep_latest
                   OR @extschema@.pgmem_checkpoint_superseded(c.session_id, c.checkpoint_ns,
                                                              c.saved_at, c.checkpoint_id)));
        IF cardinality(removed) > 0 THEN
            deleted := deleted + @extschema@.pgmem_checkpoint_remove(sid, ns, removed);
        END IF;
    END LOOP;
    RETURN deleted;
END
$$;

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

-- Tenant isolation the database enforces, opt-in (README, "Row-level security").
-- pgmem_row_security(true) enables row-level security on the tables with one policy
-- each: episodes are visible and writable only where user_id = pgmem.user_id, and
-- checkpoints and their pending writes only where session_id = pgmem.session_id, settings the application sets
-- transaction-locally (set_config(..., true)), so isolation works behind transaction
-- pooling. The table owner and superusers are not subject to it; nor is anyone while
-- it is off (the default), which costs nothing. pg_dump keeps neither the policies
-- nor the enabled state of an extension's tables: run it again after a restore. The
-- sub-selects are evaluated once per statement.
CREATE OR REPLACE FUNCTION pgmem_row_security(enabled boolean) RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
-- DROP POLICY IF EXISTS would say so when there is none; that is expected here.
SET client_min_messages = warning
AS $$
BEGIN
    IF pgmem_row_security.enabled IS NULL THEN
        RAISE EXCEPTION 'enabled must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DROP POLICY IF EXISTS pgmem_episodes_tenant ON @extschema@.pgmem_episodes;
    DROP POLICY IF EXISTS pgmem_checkpoints_session ON @extschema@.pgmem_checkpoints;
    DROP POLICY IF EXISTS pgmem_checkpoint_writes_session ON @extschema@.pgmem_checkpoint_writes;
    IF NOT pgmem_row_security.enabled THEN
        ALTER TABLE @extschema@.pgmem_episodes DISABLE ROW LEVEL SECURITY;
        ALTER TABLE @extschema@.pgmem_checkpoints DISABLE ROW LEVEL SECURITY;
        ALTER TABLE @extschema@.pgmem_checkpoint_writes DISABLE ROW LEVEL SECURITY;
        RETURN false;
    END IF;
    CREATE POLICY pgmem_episodes_tenant ON @extschema@.pgmem_episodes
        USING (user_id = (SELECT current_setting('pgmem.user_id', true)))
        WITH CHECK (user_id = (SELECT current_setting('pgmem.user_id', true)));
    CREATE POLICY pgmem_checkpoints_session ON @extschema@.pgmem_checkpoints
        USING (session_id = (SELECT current_setting('pgmem.session_id', true)))
        WITH CHECK (session_id = (SELECT current_setting('pgmem.session_id', true)));
    CREATE POLICY pgmem_checkpoint_writes_session ON @extschema@.pgmem_checkpoint_writes
        USING (session_id = (SELECT current_setting('pgmem.session_id', true)))
        WITH CHECK (session_id = (SELECT current_setting('pgmem.session_id', true)));
    ALTER TABLE @extschema@.pgmem_episodes ENABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.pgmem_checkpoints ENABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.pgmem_checkpoint_writes ENABLE ROW LEVEL SECURITY;
    RETURN true;
END
$$;

-- The catalog documentation: what \dT+, \df+, \d+ and \dC+ show. Every function's
-- comment names each of its arguments and ends with its errors ("Errors: ..." with the
-- SQLSTATEs); tests/pg_regress/sql/catalog.sql fails when one does not.

COMMENT ON TYPE pgmem_snapshot IS
'One JSON document stored as zstd-compressed CBOR (docs/FORMAT.md). Text input: any JSON '
'that jsonb accepts; output: JSON text; ::jsonb gives back a value equal to the input''s '
'jsonb. Binary send/recv carry the stored bytes. Casts from jsonb and json are implicit, '
'back to them explicit. Limits: pgmem.max_snapshot_bytes of CBOR and 10000 nesting '
'levels; numbers within numeric''s range with at most 1000 digits; JSON text at most 8 '
'bytes per CBOR byte plus 1 MiB (docs/FORMAT.md). Errors: 22P02 invalid JSON, 22P03 '
'invalid binary input, 22P05 \u0000, 22003 a number outside those limits, 54000 a limit '
'exceeded, 57014 cancelled, XX001 a damaged stored value.';

COMMENT ON FUNCTION pgmem_snapshot_in(cstring) IS
'Text input of pgmem_snapshot: parses the JSON text and compresses it at '
'pgmem.compression_level. Stable: its result depends on pgmem.compression_level and '
'pgmem.max_snapshot_bytes. Errors: 22P02 invalid JSON (with line and column), 22P05 '
'\u0000, 22003 a number outside numeric or with more than 1000 digits, 54000 over '
'pgmem.max_snapshot_bytes of CBOR, 10000 nesting levels or the JSON text bound, 57014 '
'cancelled (statement_timeout, pg_cancel_backend).';
COMMENT ON FUNCTION pgmem_snapshot_out(pgmem_snapshot) IS
'Text output of pgmem_snapshot: the JSON document, keys in the order saved, numbers '
'printed as jsonb prints them. Errors: XX001 when the stored bytes are damaged, 54000 '
'when the text would exceed 1 GB, 57014 cancelled.';
COMMENT ON FUNCTION pgmem_snapshot_recv(internal) IS
'Binary input of pgmem_snapshot: the stored format of docs/FORMAT.md, checked in full '
'(header, zstd frame, CBOR, canonical numbers) before it is accepted. Errors: 22P03 for '
'anything else, 22003 a number outside numeric or with more than 1000 digits, 54000 for '
'a frame claiming or expanding past pgmem.max_snapshot_bytes or JSON text past its bound, '
'57014 cancelled.';
COMMENT ON FUNCTION pgmem_snapshot_send(pgmem_snapshot) IS
'Binary output of pgmem_snapshot: the stored bytes (docs/FORMAT.md), decodable by any '
'client with a zstd and a CBOR library. Errors: none.';
COMMENT ON FUNCTION pgmem_snapshot(jsonb) IS
'Cast jsonb to pgmem_snapshot (implicit, so a jsonb parameter works where a snapshot is '
'expected). Errors: 22003 a number with more than 1000 digits, 54000 over '
'pgmem.max_snapshot_bytes of CBOR or 10000 nesting levels, 57014 cancelled.';
COMMENT ON FUNCTION pgmem_snapshot(json) IS
'Cast json to pgmem_snapshot (implicit); duplicate keys keep the last value, as jsonb '
'does. Errors: as pgmem_snapshot_in.';
COMMENT ON FUNCTION pgmem_snapshot_to_jsonb(pgmem_snapshot) IS
'Cast pgmem_snapshot to jsonb (explicit): equal to the jsonb of the document saved. '
'Errors: XX001 when the stored bytes are damaged, 57014 cancelled.';
COMMENT ON FUNCTION pgmem_snapshot_to_json(pgmem_snapshot) IS
'Cast pgmem_snapshot to json (explicit): the JSON text, keys in the order saved. Errors: '
'XX001 when the stored bytes are damaged, 54000 when the text would exceed 1 GB, 57014 '
'cancelled.';
COMMENT ON FUNCTION pgmem_snapshot_raw_size(pgmem_snapshot) IS
'Bytes of the CBOR document before compression, read from the header without '
'decompressing (and, for a toasted value, without fetching more than the header). '
'Errors: XX001 when the stored header is damaged.';
COMMENT ON FUNCTION pgmem_snapshot_stored_size(pgmem_snapshot) IS
'Bytes the value occupies as stored: format header plus zstd frame, without the varlena '
'header; read without fetching or decompressing the value. Errors: none.';

COMMENT ON CAST (jsonb AS pgmem_snapshot) IS
'Implicit: a jsonb value or driver parameter is accepted wherever a snapshot is expected.';
COMMENT ON CAST (json AS pgmem_snapshot) IS
'Implicit: a json value is accepted wherever a snapshot is expected.';
COMMENT ON CAST (pgmem_snapshot AS jsonb) IS
'Explicit: the document as jsonb, to query it with jsonb operators.';
COMMENT ON CAST (pgmem_snapshot AS json) IS
'Explicit: the document as json text, keys in the order saved.';

COMMENT ON FUNCTION pgmem_checked_id(text, text) IS
'Internal: returns value when it is 1 to the limit of argument characters long (255 for '
'user_id and session_id, 64 for other ids); argument is the name the error gives. '
'Errors: 22023 naming argument when value is NULL, empty or too long.';
COMMENT ON FUNCTION pgmem_id_fits(text, text) IS
'Internal: whether value is 1 to the limit of argument characters long, as '
'pgmem_checked_id; the tables'' CHECK constraints. Errors: none.';
COMMENT ON FUNCTION pgmem_checked_limit(integer, text) IS
'Internal: returns value when it is between 1 and 10000; argument is the name the error '
'gives. Errors: 22023 naming argument when value is NULL or out of range.';
COMMENT ON FUNCTION pgmem_uuidv7() IS
'A new UUID version 7 (RFC 9562): 48 bits of Unix milliseconds then random bits, so '
'generated ids sort by creation time. pgmem uses it for generated checkpoint and episode '
'ids. Errors: none.';
COMMENT ON FUNCTION pgmem_tenant(text) IS
'Internal: user_id when it names a user; NULL or empty gives NULL, which matches no row. '
'Errors: 22023 when user_id is over 255 characters, or NULL or empty with '
'pgmem.on_missing_tenant = error.';
COMMENT ON FUNCTION pgmem_like_pattern(text) IS
'Internal: ''%query%'' for ILIKE with the query''s \, % and _ escaped, so that it matches as '
'typed; NULL is treated as the empty query. Used by pgmem_episode_search. Errors: none.';
COMMENT ON FUNCTION pgmem_word_score(text, text) IS
'How many distinct words of query are words of content. A word is a run of letters and '
'digits; comparison ignores case (Unicode lowercase). The score of '
'pgmem_episode_similarity_search. Errors: none.';

COMMENT ON TABLE pgmem_checkpoints IS
'Snapshots of agent sessions, one row per checkpoint; primary key (session_id, '
'checkpoint_ns, checkpoint_id). A row holds a storage frame, not a snapshot: a keyframe, '
'or a delta against its base_id. Written and read through the pgmem_checkpoint_* '
'functions, which return complete snapshots. Dumped by pg_dump with the extension.';
COMMENT ON COLUMN pgmem_checkpoints.session_id IS 'The agent session, 1 to 255 characters.';
COMMENT ON COLUMN pgmem_checkpoints.checkpoint_ns IS
'The namespace within the session, 0 to 1024 characters; '''' (the default) is the root. '
'LangGraph keeps a subgraph''s checkpoints in a namespace of their own.';
COMMENT ON COLUMN pgmem_checkpoints.checkpoint_id IS
'Unique within the namespace, 1 to 64 characters; a UUIDv7 when generated.';
COMMENT ON COLUMN pgmem_checkpoints.parent_id IS
'The checkpoint this one was resumed or branched from, if any.';
COMMENT ON COLUMN pgmem_checkpoints.label IS 'Free text for people, e.g. the turn''s name.';
COMMENT ON COLUMN pgmem_checkpoints.metadata IS
'The caller''s jsonb, matched by the metadata_filter of pgmem_checkpoint_list and '
'pgmem_checkpoint_read and by pgmem_checkpoint_delete_by_metadata.';
COMMENT ON COLUMN pgmem_checkpoints.frame IS
'Storage only (docs/FORMAT.md): a keyframe (the bytes of a complete pgmem_snapshot) when '
'base_id is NULL, else a delta frame that is read with its base. Read checkpoints with '
'pgmem_checkpoint_load. Storage external.';
COMMENT ON COLUMN pgmem_checkpoints.base_id IS
'The checkpoint of the same namespace this frame is a delta against; NULL for a keyframe.';
COMMENT ON COLUMN pgmem_checkpoints.saved_at IS
'clock_timestamp() of the first save, kept when the checkpoint is saved over; with '
'checkpoint_id it orders "latest", lists and before_id.';
COMMENT ON INDEX pgmem_checkpoints_newest IS
'A namespace''s checkpoints newest first: latest, list and paging without a sort.';
COMMENT ON INDEX pgmem_checkpoints_saved_at IS
'All checkpoints oldest first: pgmem_checkpoint_expire''s batches.';
COMMENT ON INDEX pgmem_checkpoints_pkey IS
'The primary key: one row per (session_id, checkpoint_ns, checkpoint_id), the upsert''s '
'conflict target.';

COMMENT ON FUNCTION pgmem_checkpoint_save(text, pgmem_snapshot, text, text, jsonb, text, text) IS
'Save a checkpoint of session_id in namespace checkpoint_ns (default '''') and return its '
'checkpoint_id. Upserts on (session_id, checkpoint_ns, checkpoint_id); a NULL '
'checkpoint_id generates a time-ordered UUIDv7. snapshot may be JSON text, a jsonb or json '
'value, or a binary pgmem_snapshot; label, metadata (NULL: {}) and parent_id are stored '
'as given. saved_at is clock_timestamp() of the first save: saving over a checkpoint '
'replaces what it holds but keeps its place in the order. Stored as a delta against '
'parent_id when it is in the namespace, else against the namespace''s latest, with a '
'keyframe every pgmem.checkpoint_keyframe_interval checkpoints. Saving over a checkpoint '
'first re-encodes the checkpoints stored against it. Errors: 22023 for a NULL snapshot, '
'session_id not 1..255 characters, checkpoint_id or parent_id not 1..64, checkpoint_ns '
'NULL or over 1024; the snapshot''s own input errors (22P02, 54000, ...); XX001 when the '
'base''s stored frames are damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_save_json(text, text, text, text, jsonb, text, text) IS
'pgmem_checkpoint_save for a checkpoint given as JSON text (document): the same result, '
'but the text is encoded once, straight into the frame stored, where pgmem_checkpoint_save '
'first makes it a compressed snapshot that a delta then replaces. Errors: 22023 for a NULL '
'document and the arguments as pgmem_checkpoint_save; the text''s input errors (22P02, '
'22P05, 22003, 54000) as pgmem_snapshot''s text input raises them; XX001 when the base''s '
'stored frames are damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_put(text, pgmem_snapshot, text, text, text, jsonb, text, text) IS
'Internal: the body of pgmem_checkpoint_save and pgmem_checkpoint_save_json; snapshot or '
'document (JSON text) is the checkpoint. Errors: as pgmem_checkpoint_save.';
COMMENT ON FUNCTION pgmem_checkpoint_load(text, text, text) IS
'The checkpoint checkpoint_id of session_id in namespace checkpoint_ns (default ''''), or '
'the namespace''s latest (saved_at DESC, checkpoint_id DESC) when checkpoint_id is NULL; '
'zero rows when there is none. The snapshot is always complete: a checkpoint stored as a '
'delta is rebuilt from its chain and returned uncompressed. Errors: 22023 for session_id '
'not 1..255 characters, checkpoint_id not 1..64, checkpoint_ns NULL or over 1024; XX001 '
'naming the checkpoint when a frame of its chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_list(text, integer, text, jsonb, text) IS
'The checkpoints of session_id in namespace checkpoint_ns (default ''''), newest first, at '
'most max_rows, without snapshot bodies but with raw_bytes (the CBOR size of the complete '
'snapshot) and stored_bytes (the bytes its row stores: the whole snapshot for a keyframe, '
'the delta otherwise). before_id pages: only checkpoints older than it (none when it is '
'not in the namespace). metadata_filter keeps rows whose metadata @> it. Errors: 22023 for '
'session_id not 1..255 characters, max_rows outside 1..10000, checkpoint_ns NULL or over '
'1024.';
COMMENT ON FUNCTION pgmem_checkpoint_delete(text, text, text) IS
'Delete checkpoint checkpoint_id of session_id, or every checkpoint when checkpoint_id is '
'NULL, in namespace checkpoint_ns or, when it is NULL (the default), in every namespace; '
'their pending writes go with them. Returns how many checkpoints were deleted (0 is not an '
'error). Checkpoints stored against a deleted one are re-encoded in the same transaction. '
'Errors: 22023 for session_id not 1..255 characters, checkpoint_id not 1..64, '
'checkpoint_ns over 1024.';
COMMENT ON FUNCTION pgmem_checkpoint_prune(text[], integer) IS
'Retention: keep the newest keep checkpoints of each namespace of each session in '
'session_ids (every session when NULL, none when empty) and delete the rest with their '
'pending writes, re-encoding what the kept ones are stored against; returns how many were '
'deleted. Errors: 22023 for keep NULL or negative.';
COMMENT ON FUNCTION pgmem_checkpoint_expire(interval, boolean, integer) IS
'Retention: delete checkpoints saved before now() - older_than, and their pending writes, '
'oldest first, at most max_rows per call (call again for the next batch), never a '
'namespace''s latest when keep_latest; returns how many were deleted. Errors: 22023 for '
'older_than NULL or negative, keep_latest NULL, max_rows outside 1..10000.';
COMMENT ON FUNCTION pgmem_checkpoint_stats(text) IS
'Storage of one session (all sessions when session_id is NULL): sessions, checkpoints, '
'keyframes, raw_bytes (CBOR of every checkpoint, as if each were stored alone and '
'uncompressed), stored_bytes (the frames stored) and stored_ratio (stored / raw). '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_encode(text, text, text[], bytea[], pgmem_snapshot, text) IS
'Internal: the frame pgmem_checkpoint_save stores for snapshot or document (JSON text), '
'given the chain of its base (NULL: none) or the base alone (no row when this backend does '
'not have its document), and the base it is a delta against (NULL: a keyframe). Errors: XX001 when '
'a frame of the chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_rebase(text, text[], bytea[], text[]) IS
'Internal: the frame the last checkpoint of a chain is re-encoded to once the checkpoints '
'in removed are gone, and its new base. Errors: XX001 when a frame of the chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_snapshot(text, text[], bytea[]) IS
'Internal: the complete snapshot of the last checkpoint of a chain. Errors: XX001 naming '
'the checkpoint when a frame of the chain is damaged.';
COMMENT ON FUNCTION pgmem_frame_raw_size(bytea) IS
'Internal: the CBOR size of the checkpoint a stored frame holds, read from its header. '
'Errors: XX001 for a damaged header.';
COMMENT ON FUNCTION pgmem_checkpoint_chain(text, text, text) IS
'Internal: the ids and frames of the chain of checkpoint checkpoint_id of session_id in '
'namespace checkpoint_ns, keyframe first (NULL arrays when there is no such checkpoint). '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_base(text, text, text, text) IS
'Internal: the base of a new checkpoint checkpoint_id of session_id in namespace '
'checkpoint_ns: parent_id when it is in the namespace, else the namespace''s latest other '
'checkpoint; NULL when there is none. Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_lock(text) IS
'Internal: the transaction-scoped advisory lock every writer of session_id takes first. '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_unlink(text, text, text[]) IS
'Internal: re-encode the checkpoints of session_id in namespace checkpoint_ns stored '
'against any of removed; returns how many. The caller holds pgmem_checkpoint_lock. '
'Errors: XX001 for damaged frames.';
COMMENT ON FUNCTION pgmem_checkpoint_remove(text, text, text[]) IS
'Internal: delete the checkpoints removed of session_id in namespace checkpoint_ns and '
'their pending writes after re-encoding what is stored against them; returns how many '
'were deleted. Errors: XX001 for damaged frames.';
COMMENT ON FUNCTION pgmem_checkpoint_superseded(text, text, timestamptz, text) IS
'Internal: whether namespace checkpoint_ns of session_id has a checkpoint newer than '
'(saved_at, checkpoint_id). '
'Errors: none.';

COMMENT ON TABLE pgmem_checkpoint_writes IS
'Pending writes: what the tasks of a step wrote, kept with the checkpoint the step '
'started from (LangGraph''s put_writes); primary key (session_id, checkpoint_ns, '
'checkpoint_id, task_id, idx). Deleted with their checkpoint. Dumped by pg_dump with the '
'extension.';
COMMENT ON COLUMN pgmem_checkpoint_writes.session_id IS
'The session of the checkpoint written against, 1 to 255 characters.';
COMMENT ON COLUMN pgmem_checkpoint_writes.checkpoint_ns IS
'The namespace of the checkpoint written against, 0 to 1024 characters.';
COMMENT ON COLUMN pgmem_checkpoint_writes.checkpoint_id IS
'The checkpoint written against (the one the step started from), which need not be saved '
'yet; 1 to 64 characters.';
COMMENT ON COLUMN pgmem_checkpoint_writes.task_id IS 'The task that wrote, 1 to 64 characters.';
COMMENT ON COLUMN pgmem_checkpoint_writes.idx IS
'The write''s index within its task; negative for special channels (errors, interrupts), '
'which a later write replaces.';
COMMENT ON COLUMN pgmem_checkpoint_writes.channel IS 'The channel written.';
COMMENT ON COLUMN pgmem_checkpoint_writes.task_path IS
'The task''s path; reads return writes in (task_path, task_id, idx) order.';
COMMENT ON COLUMN pgmem_checkpoint_writes.value_type IS
'The caller''s tag for how to read the value back (for LangGraph, the serializer''s type).';
COMMENT ON COLUMN pgmem_checkpoint_writes.value IS 'The value when it is JSON; else NULL.';
COMMENT ON COLUMN pgmem_checkpoint_writes.blob IS
'The value''s bytes when it is not JSON, not read by pgmem; else NULL.';
COMMENT ON INDEX pgmem_checkpoint_writes_pkey IS
'The primary key: a checkpoint''s writes in order, and the put''s conflict target.';
COMMENT ON FUNCTION pgmem_checkpoint_put_writes(text, text, text, text[], text[], text[], bytea[], integer[], text, text) IS
'Store the pending writes of task task_id against checkpoint checkpoint_id of session_id '
'in namespace checkpoint_ns, one element per write: channels, value_types, and for each '
'write either documents[i] (JSON text, stored as a pgmem_snapshot) or blobs[i] (bytes); '
'idx gives each write''s index (NULL: 0, 1, ...) and task_path the task''s path. A write '
'with a negative idx replaces the one with its key; any other is stored only when its '
'key is new; writes of one call count in order, as if given one at a time. The checkpoint '
'need not be saved yet. Returns how many rows were written. Errors: 22023 for an '
'identifier out of range, a NULL channels or task_path, arrays of other lengths than '
'channels, a write without a channel or value_type or with both or neither of document and '
'blob; the document''s input errors (22P02, 54000, ...).';
COMMENT ON FUNCTION pgmem_checkpoint_read(text, text, text, text, integer, jsonb) IS
'Checkpoints with their complete snapshots and pending writes, newest first, in one call: '
'LangGraph''s get_tuple (max_rows 1, the default) and list. session_id NULL reads every '
'session, checkpoint_ns NULL every namespace (default ''''); checkpoint_id picks one '
'checkpoint; before_id keeps only checkpoints older than it (none when it is unknown); '
'metadata_filter keeps rows whose metadata @> it. The write_* arrays hold the writes in '
'(task_path, task_id, idx) order, write_values[i] for JSON and write_blobs[i] for bytes. '
'Errors: 22023 for an identifier out of range or max_rows outside 1..10000; XX001 naming '
'the checkpoint when a frame of its chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_contents(text, text, text) IS
'Internal: the complete snapshot of checkpoint checkpoint_id of session_id in namespace '
'checkpoint_ns and its pending writes, as pgmem_checkpoint_read returns them. Errors: '
'XX001 naming the checkpoint when a frame of its chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_position(text, text, text) IS
'Internal: (saved_at, checkpoint_id) of a checkpoint, its place in the newest-first '
'order; with session_id or checkpoint_ns NULL, of the newest checkpoint with that id. '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_rows(text, text, text, text, integer, jsonb) IS
'Internal: the body of pgmem_checkpoint_read, whose arguments p_session_id, '
'p_checkpoint_ns, p_checkpoint_id, p_before_id, p_max_rows and p_metadata_filter are, and '
'whose result it returns. Errors: as pgmem_checkpoint_read.';
COMMENT ON FUNCTION pgmem_checkpoint_copy(text, text) IS
'Copy every checkpoint of source_session_id, in every namespace, and every pending write '
'into target_session_id: ids, parents, metadata, saved_at and stored frames as they are, '
'without compressing again. Returns how many checkpoints were copied (0 for an unknown '
'source). Errors: 22023 for an id out of range or the same session twice; 23505 when the '
'target has a checkpoint with the same namespace and id (nothing is copied).';
COMMENT ON FUNCTION pgmem_checkpoint_delete_by_metadata(jsonb[]) IS
'Delete, in every session, the checkpoints whose metadata @> any of metadata_filters, '
'with their pending writes, re-encoding what is stored against them (LangGraph''s '
'delete_for_runs: one {"run_id": ...} per run). Reads the whole table. Returns how many '
'were deleted. Errors: 22023 for NULL, or a filter that is not a JSON object with at least '
'one key.';
COMMENT ON FUNCTION pgmem_expiry_cutoff(interval) IS
'Internal: now() - older_than, for the retention functions. Errors: 22023 for older_than '
'NULL or negative.';

COMMENT ON TABLE pgmem_episodes IS
'Per-user records of past agent runs; primary key (user_id, episode_id). Written and read '
'through the pgmem_episode_* functions, which only ever touch the named user''s rows. '
'Dumped by pg_dump with the extension.';
COMMENT ON COLUMN pgmem_episodes.user_id IS 'The tenant, 1 to 255 characters.';
COMMENT ON COLUMN pgmem_episodes.episode_id IS
'Unique within the user, 1 to 64 characters; a UUIDv7 when generated.';
COMMENT ON COLUMN pgmem_episodes.content IS
'The text keyword and similarity search match, e.g. the task and its outcome.';
COMMENT ON COLUMN pgmem_episodes.metadata IS
'The caller''s jsonb (plan, trajectory, answer, tags), matched by metadata_filter.';
COMMENT ON COLUMN pgmem_episodes.inserted_at IS
'clock_timestamp() of the last store; orders search results and trimming.';
COMMENT ON INDEX pgmem_episodes_newest IS
'A user''s episodes newest first: list, search and trimming.';
COMMENT ON INDEX pgmem_episodes_inserted_at IS
'All episodes oldest first: pgmem_episode_expire''s batches.';
COMMENT ON INDEX pgmem_episodes_pkey IS
'The primary key: one row per (user_id, episode_id), the upsert''s conflict target.';

COMMENT ON FUNCTION pgmem_episode_trim(text) IS
'Delete the oldest episodes of user_id beyond pgmem.max_episodes_per_user (0: keep all); '
'returns how many. The store functions call it; call it after lowering the setting. '
'Errors: 22023 for user_id NULL, empty or over 255 characters.';
COMMENT ON FUNCTION pgmem_episode_store(text, text, jsonb, text) IS
'Store content and metadata (NULL: {}) as an episode of user_id and return its id: upsert '
'on (user_id, episode_id), a UUIDv7 when episode_id is NULL, inserted_at = '
'clock_timestamp(); then trims the user to pgmem.max_episodes_per_user in the same '
'transaction, under a lock on user_id (pgmem_episode_lock), so that the cap holds under '
'concurrency. Errors: 22023 for user_id NULL, empty or over 255 characters, NULL content, '
'episode_id not 1..64 characters; 42501 for another user under pgmem_row_security.';
COMMENT ON FUNCTION pgmem_episode_store_many(text, text[], jsonb[], text[]) IS
'Store many episodes of user_id in one statement, all or nothing; returns how many. '
'metadata and episode_ids, when given, have one element per element of contents (NULL '
'elements: {} and a generated id). The last of contents is the newest. Rows are written '
'in episode_id order, so overlapping batches cannot deadlock. Errors: 22023 for '
'arrays of unequal length or more than one dimension, NULL contents or a NULL element of '
'it, a repeated episode id, and as pgmem_episode_store.';
COMMENT ON FUNCTION pgmem_episode_search(text, text, integer, jsonb) IS
'The episodes of user_id whose content contains query, ignoring case (ILIKE); %, _ and \ '
'in query are plain characters. Newest first, at most top_k; NULL or empty query: the '
'newest top_k. metadata_filter keeps rows whose metadata @> it. NULL or empty user_id '
'returns none. Errors: 22023 for top_k outside 1..10000, user_id over 255 characters, or '
'NULL or empty user_id with pgmem.on_missing_tenant = error.';
COMMENT ON FUNCTION pgmem_episode_similarity_search(text, text, integer) IS
'The episodes of user_id ranked by score, the number of distinct words of query that are '
'words of the content (case-insensitive; see pgmem_word_score); ties newest first; at '
'most top_k; episodes scoring 0 are left out. Errors: as pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_episode_list(text, integer, timestamptz) IS
'The episodes of user_id newest first, at most max_rows, only those inserted before '
'"before" when it is given. Errors: 22023 for max_rows outside 1..10000, and for user_id '
'as pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_episode_delete(text, text) IS
'Delete episode episode_id of user_id; true when it existed. Another user''s episode is '
'never touched (false); NULL or empty user_id: false. Errors: 22023 for episode_id not '
'1..64 characters, and for user_id as pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_episode_forget(text) IS
'Erase every episode of user_id (right to erasure); returns how many. NULL or empty '
'user_id: 0. Errors: 22023 for user_id as pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_episode_expire(interval, integer) IS
'Retention across all users: delete episodes inserted before now() - older_than, oldest '
'first, at most max_rows per call (call again for the next batch); returns how many. '
'Errors: 22023 for older_than NULL or negative, max_rows outside 1..10000.';
COMMENT ON FUNCTION pgmem_episode_cap() IS
'Episodes kept per user in this session: pgmem.max_episodes_per_user, 0 for all. Errors: '
'42501 when a role that may not set it gave it at connection start, before pgmem was '
'loaded (PostgreSQL then loses the value set for the database or role).';
COMMENT ON FUNCTION pgmem_episode_lock(text) IS
'Internal: takes the transaction-level advisory lock on user_id (the key pair '
'hashtext(''pgmem_episodes''), hashtext(user_id)) that the store functions hold while they '
'insert and trim. Errors: none.';
COMMENT ON FUNCTION pgmem_row_security(boolean) IS
'Turn tenant isolation by row-level security on (enabled = true) or off; returns enabled. '
'On: roles other than the tables'' owner see and write only episodes whose user_id equals '
'the setting pgmem.user_id and checkpoints and pending writes whose session_id equals '
'pgmem.session_id, set '
'per transaction with set_config(..., true). pg_dump does not keep it: run it again '
'after a restore. Errors: 22023 for NULL enabled, 42501 for a caller that does not own '
'the tables.';
