-- Checkpoints (README, "Checkpoints"): snapshots of an agent session, saved after each turn.
--
-- A checkpoint is stored as a frame (docs/FORMAT.md): a keyframe, which is a complete
-- pgmem_snapshot value, or a delta frame against its base checkpoint (base_id) in the
-- same session. Deltas never leave the table: every function returns or describes
-- complete snapshots. Writers to one session serialise on pgmem_checkpoint_lock, and
-- before a checkpoint goes (deleted, replaced, pruned, expired) the checkpoints stored
-- against it are re-encoded in the same transaction (pgmem_checkpoint_unlink).
--
-- Reads are single-statement SQL functions with standard (BEGIN ATOMIC) bodies: names
-- are bound when the extension is created, so the caller's search_path cannot change
-- what they read, and the planner inlines them into the caller's query, index and all.
-- Writes are PL/pgSQL, whose plans are cached per session, with search_path pinned and
-- every pgmem object schema-qualified.

CREATE TABLE pgmem_checkpoints (
    session_id    text NOT NULL CHECK (@extschema@.pgmem_id_fits(session_id, 'session_id')),
    checkpoint_id text NOT NULL CHECK (@extschema@.pgmem_id_fits(checkpoint_id, 'checkpoint_id')),
    parent_id     text NULL,
    label         text NULL,
    metadata      jsonb NOT NULL DEFAULT '{}',
    frame         bytea NOT NULL,
    saved_at      timestamptz NOT NULL,
    base_id       text NULL CONSTRAINT pgmem_checkpoints_base_id_check CHECK (base_id <> checkpoint_id),
    -- Last, where the upgrade from 0.4.0 adds it: a fresh install and an upgraded one
    -- have the same row layout.
    checkpoint_ns text NOT NULL DEFAULT ''
        CONSTRAINT pgmem_checkpoints_checkpoint_ns_check
        CHECK (@extschema@.pgmem_id_fits(checkpoint_ns, 'checkpoint_ns')),
    CONSTRAINT pgmem_checkpoints_pkey PRIMARY KEY (session_id, checkpoint_ns, checkpoint_id)
)
-- A row stays in the heap up to a page's size: keyframes of a few kB are read and
-- written without a TOAST table's index and chunks (smaller and faster); only larger
-- ones go out of line.
WITH (toast_tuple_target = 8160);
-- Serves "latest of a namespace" and "newest first" (and paging) without a sort. The
-- whole order is in the index, tie-break included, so that no plan (a PL/pgSQL one made
-- while the table was small, say) can prefer sorting a namespace to reading the index.
CREATE INDEX pgmem_checkpoints_newest
    ON pgmem_checkpoints (session_id, checkpoint_ns, saved_at DESC, checkpoint_id DESC);
-- Expiry across all sessions, oldest first, in bounded batches.
CREATE INDEX pgmem_checkpoints_saved_at ON pgmem_checkpoints (saved_at);
-- Frames are compressed already: TOAST keeps them out of line without compressing again,
-- and reads the header of a large one without fetching the rest.
ALTER TABLE pgmem_checkpoints ALTER COLUMN frame SET STORAGE EXTERNAL;
-- An extension's tables are dumped empty unless registered: keep every checkpoint.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pgmem_checkpoints', '');

-- The storage primitives, in the library (src/checkpoint.rs). Each takes a checkpoint's
-- chain as pgmem_checkpoint_chain reads it.
CREATE FUNCTION pgmem_checkpoint_encode(session_id text, checkpoint_id text, chain_ids text[],
                                        chain_frames bytea[], snapshot pgmem_snapshot,
                                        document text)
RETURNS TABLE (frame bytea, base_id text)
    AS 'MODULE_PATHNAME', 'pgmem_checkpoint_encode_wrapper'
    LANGUAGE c STABLE PARALLEL SAFE ROWS 1;
CREATE FUNCTION pgmem_checkpoint_rebase(session_id text, chain_ids text[], chain_frames bytea[],
                                        removed text[])
RETURNS TABLE (frame bytea, base_id text)
    AS 'MODULE_PATHNAME', 'pgmem_checkpoint_rebase_wrapper'
    LANGUAGE c STABLE STRICT PARALLEL SAFE ROWS 1;
CREATE FUNCTION pgmem_checkpoint_snapshot(session_id text, chain_ids text[], chain_frames bytea[])
RETURNS pgmem_snapshot
    AS 'MODULE_PATHNAME', 'pgmem_checkpoint_snapshot_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_frame_raw_size(frame bytea) RETURNS integer
    AS 'MODULE_PATHNAME', 'pgmem_frame_raw_size_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;

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

-- Writers to one session take this lock first, so that re-encoding and saving never
-- interleave on a session; sessions do not block each other. A pair of int4 keys, as
-- for episodes, in a space of its own.
CREATE FUNCTION pgmem_checkpoint_lock(session_id text) RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
    SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgmem_checkpoints'),
                                            pg_catalog.hashtext(pgmem_checkpoint_lock.session_id));
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

CREATE FUNCTION pgmem_checkpoint_prune(session_ids text[] DEFAULT NULL, keep integer DEFAULT 1)
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

CREATE FUNCTION pgmem_checkpoint_expire(
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

CREATE FUNCTION pgmem_checkpoint_stats(session_id text DEFAULT NULL)
RETURNS TABLE (
    sessions bigint,
    checkpoints bigint,
    keyframes bigint,
    raw_bytes bigint,
    stored_bytes bigint,
    stored_ratio double precision
)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT count(DISTINCT c.session_id),
           count(*),
           count(*) FILTER (WHERE c.base_id IS NULL),
           coalesce(sum(@extschema@.pgmem_frame_raw_size(c.frame)), 0)::bigint,
           coalesce(sum(pg_catalog.octet_length(c.frame)), 0)::bigint,
           sum(pg_catalog.octet_length(c.frame))::double precision
               / nullif(sum(@extschema@.pgmem_frame_raw_size(c.frame)), 0)
    FROM @extschema@.pgmem_checkpoints c
    WHERE pgmem_checkpoint_stats.session_id IS NULL
       OR c.session_id = pgmem_checkpoint_stats.session_id;
END;
