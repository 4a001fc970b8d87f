-- pgmem 0.3.0 -> 0.4.0: delta checkpoints, retention and storage statistics.
--   * pgmem_checkpoints.snapshot becomes frame (bytea, the same bytes: every row stored
--     before stays a keyframe) and base_id is added; a checkpoint saved from now on is
--     a delta against its base unless it starts a new keyframe;
--   * deleting, replacing, pruning or expiring a checkpoint re-encodes what is stored
--     against it; writers to a session take pgmem_checkpoint_lock;
--   * pgmem_checkpoint_save_json saves JSON text, encoded once, straight into the frame;
--     it and pgmem_checkpoint_save share pgmem_checkpoint_put;
--   * pgmem_checkpoint_prune, pgmem_checkpoint_expire, pgmem_episode_expire and
--     pgmem_checkpoint_stats are new.
-- Released scripts are never edited: a later change gets a new pgmem--0.4.0--X.sql.
\echo Use "ALTER EXTENSION pgmem UPDATE TO '0.4.0'" to load this file. \quit

-- Their bodies read the column whose type changes; they are created again below.
DROP FUNCTION pgmem_checkpoint_load(text, text);
DROP FUNCTION pgmem_checkpoint_list(text, integer, text, jsonb);

-- The bytes stay as they are: a binary-coercible cast relabels the column, no rewrite.
CREATE CAST (pgmem_snapshot AS bytea) WITHOUT FUNCTION;
ALTER TABLE pgmem_checkpoints RENAME COLUMN snapshot TO frame;
ALTER TABLE pgmem_checkpoints ALTER COLUMN frame TYPE bytea USING frame::bytea;
DROP CAST (pgmem_snapshot AS bytea);
ALTER TABLE pgmem_checkpoints ALTER COLUMN frame SET STORAGE EXTERNAL;
-- Rows up to a page's size stay in the heap (new rows; stored ones stay where they are).
ALTER TABLE pgmem_checkpoints SET (toast_tuple_target = 8160);
ALTER TABLE pgmem_checkpoints ADD COLUMN base_id text NULL
    CONSTRAINT pgmem_checkpoints_base_id_check CHECK (base_id <> checkpoint_id);
CREATE INDEX pgmem_checkpoints_saved_at ON pgmem_checkpoints (saved_at);
CREATE INDEX pgmem_episodes_inserted_at ON pgmem_episodes (inserted_at);

-- The time before which retention functions delete: now() - older_than, which must be
-- a positive interval (or zero).
CREATE FUNCTION pgmem_expiry_cutoff(older_than interval) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF older_than IS NULL OR older_than < interval '0' THEN
        RAISE EXCEPTION 'older_than must be an interval of 0 or more, not %',
            coalesce(older_than::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN now() - older_than;
END
$$;

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
-- NULL arrays when there is no such checkpoint.
CREATE FUNCTION pgmem_checkpoint_chain(session_id text, checkpoint_id text)
RETURNS TABLE (ids text[], frames bytea[])
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    WITH RECURSIVE chain (checkpoint_id, base_id, frame, n) AS (
        SELECT c.checkpoint_id, c.base_id, c.frame, 1
        FROM @extschema@.pgmem_checkpoints c
        WHERE c.session_id = pgmem_checkpoint_chain.session_id
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

-- Before the checkpoints in `removed` go, every checkpoint of the session stored against
-- one of them is re-encoded against the nearest checkpoint before it that stays (or as a
-- keyframe). Returns how many were re-encoded. The caller holds the session's lock.
CREATE FUNCTION pgmem_checkpoint_unlink(session_id text, removed text[]) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dependent text;
    chain record;
    stored record;
    n bigint := 0;
BEGIN
    FOR dependent IN
        SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
        WHERE c.session_id = pgmem_checkpoint_unlink.session_id
          AND c.base_id = ANY (pgmem_checkpoint_unlink.removed)
          AND c.checkpoint_id <> ALL (pgmem_checkpoint_unlink.removed)
    LOOP
        -- Ancestors' documents never change, only their frames: the order is free.
        SELECT ch.ids, ch.frames INTO chain
        FROM @extschema@.pgmem_checkpoint_chain(pgmem_checkpoint_unlink.session_id, dependent) ch;
        SELECT r.frame, r.base_id INTO stored
        FROM @extschema@.pgmem_checkpoint_rebase(pgmem_checkpoint_unlink.session_id, chain.ids,
                                                 chain.frames, pgmem_checkpoint_unlink.removed) r;
        UPDATE @extschema@.pgmem_checkpoints c SET frame = stored.frame, base_id = stored.base_id
        WHERE c.session_id = pgmem_checkpoint_unlink.session_id AND c.checkpoint_id = dependent;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- Delete checkpoints `removed` of a session, keeping everything else loadable; the
-- caller holds the session's lock. Returns how many were deleted.
CREATE FUNCTION pgmem_checkpoint_remove(session_id text, removed text[]) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    deleted bigint;
BEGIN
    PERFORM @extschema@.pgmem_checkpoint_unlink(pgmem_checkpoint_remove.session_id,
                                                pgmem_checkpoint_remove.removed);
    DELETE FROM @extschema@.pgmem_checkpoints c
    WHERE c.session_id = pgmem_checkpoint_remove.session_id
      AND c.checkpoint_id = ANY (pgmem_checkpoint_remove.removed);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

-- The base of a new checkpoint checkpoint_id: parent_id when it is in the session, else
-- the session's latest other checkpoint; NULL when there is none. One row; a table
-- function, so that the planner inlines it into the caller's statement.
CREATE FUNCTION pgmem_checkpoint_base(session_id text, checkpoint_id text, parent_id text)
RETURNS TABLE (base_id text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1
BEGIN ATOMIC
    SELECT coalesce(
        (SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
         WHERE c.session_id = pgmem_checkpoint_base.session_id
           AND c.checkpoint_id = pgmem_checkpoint_base.parent_id
           AND c.checkpoint_id <> pgmem_checkpoint_base.checkpoint_id),
        (SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
         WHERE c.session_id = pgmem_checkpoint_base.session_id
           AND c.checkpoint_id <> pgmem_checkpoint_base.checkpoint_id
         ORDER BY c.saved_at DESC, c.checkpoint_id DESC
         LIMIT 1));
END;

-- A save (pgmem_checkpoint_save): snapshot or document (JSON text) is the checkpoint.
CREATE FUNCTION pgmem_checkpoint_put(
    session_id text,
    snapshot pgmem_snapshot,
    document text,
    checkpoint_id text,
    label text,
    metadata jsonb,
    parent_id text
) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text;
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
        (session_id, checkpoint_id, parent_id, label, metadata, frame, saved_at, base_id)
    SELECT sid, cid, pid, pgmem_checkpoint_put.label,
           coalesce(pgmem_checkpoint_put.metadata, '{}'), e.frame, clock_timestamp(), e.base_id
    FROM @extschema@.pgmem_checkpoint_base(sid, cid, pid) AS b (id)
    CROSS JOIN LATERAL @extschema@.pgmem_checkpoint_encode(
        sid, cid, CASE WHEN b.id IS NOT NULL THEN ARRAY[b.id] END,
        CASE WHEN b.id IS NOT NULL THEN ARRAY[(
            SELECT k.frame FROM @extschema@.pgmem_checkpoints k
            WHERE k.session_id = sid AND k.checkpoint_id = b.id)] END,
        pgmem_checkpoint_put.snapshot, pgmem_checkpoint_put.document) e
    WHERE NOT EXISTS (SELECT FROM @extschema@.pgmem_checkpoints x
                      WHERE x.session_id = sid AND x.checkpoint_id = cid);
    IF FOUND THEN
        RETURN cid;
    END IF;
    -- Here either this saves over a checkpoint, or this backend lacks the base's document.
    -- Saving over a checkpoint replaces it: what is stored against it moves off first
    -- (looking for that reads the whole session, so only when there is one).
    IF EXISTS (SELECT FROM @extschema@.pgmem_checkpoints x
               WHERE x.session_id = sid AND x.checkpoint_id = cid) THEN
        PERFORM @extschema@.pgmem_checkpoint_unlink(sid, ARRAY[cid]);
    END IF;
    -- The base's whole chain, read here.
    SELECT b.base_id INTO bid FROM @extschema@.pgmem_checkpoint_base(sid, cid, pid) b;
    SELECT ch.ids, ch.frames INTO chain FROM @extschema@.pgmem_checkpoint_chain(sid, bid) ch;
    SELECT e.frame, e.base_id INTO stored
    FROM @extschema@.pgmem_checkpoint_encode(sid, cid, chain.ids, chain.frames,
                                             pgmem_checkpoint_put.snapshot,
                                             pgmem_checkpoint_put.document) e;
    INSERT INTO @extschema@.pgmem_checkpoints AS c
        (session_id, checkpoint_id, parent_id, label, metadata, frame, saved_at, base_id)
    VALUES (sid, cid, pid, pgmem_checkpoint_put.label,
            coalesce(pgmem_checkpoint_put.metadata, '{}'), stored.frame, clock_timestamp(),
            stored.base_id)
    ON CONFLICT ON CONSTRAINT pgmem_checkpoints_pkey DO UPDATE
        SET parent_id = excluded.parent_id,
            label = excluded.label,
            metadata = excluded.metadata,
            frame = excluded.frame,
            saved_at = excluded.saved_at,
            base_id = excluded.base_id;
    RETURN cid;
END
$$;

-- The two ways to save: a snapshot (a pgmem_snapshot, or JSON text, jsonb or json cast
-- to one: a literal or an untyped parameter, text or binary, is a pgmem_snapshot), or
-- JSON text given to pgmem_checkpoint_save_json, encoded once, straight into the frame.
CREATE OR REPLACE FUNCTION pgmem_checkpoint_save(
    session_id text,
    snapshot pgmem_snapshot,
    checkpoint_id text DEFAULT NULL,
    label text DEFAULT NULL,
    metadata jsonb DEFAULT '{}',
    parent_id text DEFAULT NULL
) RETURNS text
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
    SELECT @extschema@.pgmem_checkpoint_put(
        pgmem_checkpoint_save.session_id, pgmem_checkpoint_save.snapshot, NULL,
        pgmem_checkpoint_save.checkpoint_id, pgmem_checkpoint_save.label,
        pgmem_checkpoint_save.metadata, pgmem_checkpoint_save.parent_id);
END;

CREATE FUNCTION pgmem_checkpoint_save_json(
    session_id text,
    document text,
    checkpoint_id text DEFAULT NULL,
    label text DEFAULT NULL,
    metadata jsonb DEFAULT '{}',
    parent_id text DEFAULT NULL
) RETURNS text
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
    SELECT @extschema@.pgmem_checkpoint_put(
        pgmem_checkpoint_save_json.session_id, NULL, pgmem_checkpoint_save_json.document,
        pgmem_checkpoint_save_json.checkpoint_id, pgmem_checkpoint_save_json.label,
        pgmem_checkpoint_save_json.metadata, pgmem_checkpoint_save_json.parent_id);
END;

CREATE FUNCTION pgmem_checkpoint_load(session_id text, checkpoint_id text DEFAULT NULL)
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
        (SELECT l.session_id, l.checkpoint_id, l.parent_id, l.label, l.metadata, l.saved_at
         FROM @extschema@.pgmem_checkpoints l
         WHERE pgmem_checkpoint_load.checkpoint_id IS NULL
           AND l.session_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.session_id, 'session_id')
         ORDER BY l.saved_at DESC, l.checkpoint_id DESC
         LIMIT 1)
        UNION ALL
        SELECT g.session_id, g.checkpoint_id, g.parent_id, g.label, g.metadata, g.saved_at
        FROM @extschema@.pgmem_checkpoints g
        WHERE pgmem_checkpoint_load.checkpoint_id IS NOT NULL
          AND g.session_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.session_id, 'session_id')
          AND g.checkpoint_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.checkpoint_id, 'checkpoint_id')
    ) c
    CROSS JOIN LATERAL @extschema@.pgmem_checkpoint_chain(c.session_id, c.checkpoint_id) ch;
END;

CREATE FUNCTION pgmem_checkpoint_list(
    session_id text,
    max_rows integer DEFAULT 100,
    before_id text DEFAULT NULL,
    metadata_filter jsonb DEFAULT NULL
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
      -- The page ends before before_id (no rows when it is not in the session); without
      -- before_id the bound is above every saved_at.
      AND (c.saved_at, c.checkpoint_id) < (
          SELECT b.saved_at, b.checkpoint_id
          FROM @extschema@.pgmem_checkpoints b
          WHERE b.session_id = pgmem_checkpoint_list.session_id
            AND b.checkpoint_id = pgmem_checkpoint_list.before_id
          UNION ALL
          SELECT 'infinity'::timestamptz, ''
          WHERE pgmem_checkpoint_list.before_id IS NULL)
      AND (pgmem_checkpoint_list.metadata_filter IS NULL
           OR c.metadata @> pgmem_checkpoint_list.metadata_filter)
    ORDER BY c.saved_at DESC, c.checkpoint_id DESC
    LIMIT @extschema@.pgmem_checked_limit(pgmem_checkpoint_list.max_rows, 'max_rows');
END;

CREATE OR REPLACE FUNCTION pgmem_checkpoint_delete(session_id text, checkpoint_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text;
    deleted bigint;
BEGIN
    sid := @extschema@.pgmem_checked_id(pgmem_checkpoint_delete.session_id, 'session_id');
    PERFORM @extschema@.pgmem_checkpoint_lock(sid);
    IF pgmem_checkpoint_delete.checkpoint_id IS NULL THEN
        DELETE FROM @extschema@.pgmem_checkpoints c WHERE c.session_id = sid;
        GET DIAGNOSTICS deleted = ROW_COUNT;
        RETURN deleted;
    END IF;
    RETURN @extschema@.pgmem_checkpoint_remove(sid, ARRAY[
        @extschema@.pgmem_checked_id(pgmem_checkpoint_delete.checkpoint_id, 'checkpoint_id')]);
END
$$;

-- Whether a newer checkpoint of the session exists: the latest is never superseded.
CREATE FUNCTION pgmem_checkpoint_superseded(session_id text, saved_at timestamptz, checkpoint_id text)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT EXISTS (
        SELECT FROM @extschema@.pgmem_checkpoints n
        WHERE n.session_id = pgmem_checkpoint_superseded.session_id
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
        removed := ARRAY(
            SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
            WHERE c.session_id = sid
            ORDER BY c.saved_at DESC, c.checkpoint_id DESC
            OFFSET pgmem_checkpoint_prune.keep);
        IF cardinality(removed) > 0 THEN
            deleted := deleted + @extschema@.pgmem_checkpoint_remove(sid, removed);
        END IF;
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
    cids text[];
    sid text;
    removed text[];
    deleted bigint := 0;
BEGIN
    cutoff := @extschema@.pgmem_expiry_cutoff(pgmem_checkpoint_expire.older_than);
    IF pgmem_checkpoint_expire.keep_latest IS NULL THEN
        RAISE EXCEPTION 'keep_latest must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The oldest checkpoints first, at most max_rows, never a session's latest when
    -- keep_latest: a scheduler calling again gets the next batch.
    SELECT pg_catalog.array_agg(o.session_id), pg_catalog.array_agg(o.checkpoint_id)
    INTO sids, cids
    FROM (SELECT c.session_id, c.checkpoint_id
          FROM @extschema@.pgmem_checkpoints c
          WHERE c.saved_at < cutoff
            AND (NOT pgmem_checkpoint_expire.keep_latest
                 OR @extschema@.pgmem_checkpoint_superseded(c.session_id, c.saved_at, c.checkpoint_id))
          ORDER BY c.saved_at
          LIMIT @extschema@.pgmem_checked_limit(pgmem_checkpoint_expire.max_rows, 'max_rows')) o;
    -- Sessions in one order, so that two callers never wait for each other in a cycle.
    FOR sid IN SELECT DISTINCT s FROM unnest(sids) s ORDER BY s LOOP
        PERFORM @extschema@.pgmem_checkpoint_lock(sid);
        -- Checked again under the lock: a save or delete may have come between.
        removed := ARRAY(
            SELECT c.checkpoint_id FROM @extschema@.pgmem_checkpoints c
            WHERE c.session_id = sid
              AND c.checkpoint_id IN (SELECT u.c_id FROM unnest(sids, cids) AS u (s_id, c_id)
                                      WHERE u.s_id = sid)
              AND c.saved_at < cutoff
              AND (NOT pgmem_checkpoint_expire.keep_latest
                   OR @extschema@.pgmem_checkpoint_superseded(c.session_id, c.saved_at, c.checkpoint_id)));
        IF cardinality(removed) > 0 THEN
            deleted := deleted + @extschema@.pgmem_checkpoint_remove(sid, removed);
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

-- Retention across users (an administrator's or scheduler's call, not a tenant's): the
-- oldest episodes first, at most max_rows per call.
CREATE FUNCTION pgmem_episode_expire(older_than interval, max_rows integer DEFAULT 10000)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    cutoff timestamptz;
    deleted bigint;
BEGIN
    cutoff := @extschema@.pgmem_expiry_cutoff(pgmem_episode_expire.older_than);
    DELETE FROM @extschema@.pgmem_episodes e
    WHERE (e.user_id, e.episode_id) IN (
        SELECT o.user_id, o.episode_id FROM @extschema@.pgmem_episodes o
        WHERE o.inserted_at < cutoff
        ORDER BY o.inserted_at
        LIMIT @extschema@.pgmem_checked_limit(pgmem_episode_expire.max_rows, 'max_rows'));
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

-- The documentation of every object, as a fresh install has it.
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
'checkpoint_id). A row holds a storage frame, not a snapshot: a keyframe, or a delta '
'against its base_id. Written and read through the pgmem_checkpoint_* functions, which '
'return complete snapshots. Dumped by pg_dump with the extension.';
COMMENT ON COLUMN pgmem_checkpoints.session_id IS 'The agent session, 1 to 255 characters.';
COMMENT ON COLUMN pgmem_checkpoints.checkpoint_id IS
'Unique within the session, 1 to 64 characters; a UUIDv7 when generated.';
COMMENT ON COLUMN pgmem_checkpoints.parent_id IS
'The checkpoint this one was resumed or branched from, if any.';
COMMENT ON COLUMN pgmem_checkpoints.label IS 'Free text for people, e.g. the turn''s name.';
COMMENT ON COLUMN pgmem_checkpoints.metadata IS
'The caller''s jsonb, matched by pgmem_checkpoint_list''s metadata_filter.';
COMMENT ON COLUMN pgmem_checkpoints.frame IS
'Storage only (docs/FORMAT.md): a keyframe (the bytes of a complete pgmem_snapshot) when '
'base_id is NULL, else a delta frame that is read with its base. Read checkpoints with '
'pgmem_checkpoint_load. Storage external.';
COMMENT ON COLUMN pgmem_checkpoints.base_id IS
'The checkpoint of the same session this frame is a delta against; NULL for a keyframe.';
COMMENT ON COLUMN pgmem_checkpoints.saved_at IS
'clock_timestamp() of the last save; orders "latest" and lists.';
COMMENT ON INDEX pgmem_checkpoints_newest IS
'A session''s checkpoints newest first: latest, list and paging without a sort.';
COMMENT ON INDEX pgmem_checkpoints_saved_at IS
'All checkpoints oldest first: pgmem_checkpoint_expire''s batches.';
COMMENT ON INDEX pgmem_checkpoints_pkey IS
'The primary key: one row per (session_id, checkpoint_id), the upsert''s conflict target.';

COMMENT ON FUNCTION pgmem_checkpoint_save(text, pgmem_snapshot, text, text, jsonb, text) IS
'Save a checkpoint of session_id and return its checkpoint_id. Upserts on (session_id, '
'checkpoint_id); a NULL checkpoint_id generates a time-ordered UUIDv7. snapshot may be '
'JSON text, a jsonb or json value, or a binary pgmem_snapshot; label, metadata (NULL: {}) '
'and parent_id are stored as given; saved_at is clock_timestamp(). Stored as a delta '
'against parent_id when it is in the session, else against the session''s latest, with a '
'keyframe every pgmem.checkpoint_keyframe_interval checkpoints. Saving over a checkpoint '
'first re-encodes the checkpoints stored against it. Errors: 22023 for a NULL snapshot, '
'session_id not 1..255 characters, checkpoint_id or parent_id not 1..64; the snapshot''s '
'own input errors (22P02, 54000, ...); XX001 when the base''s stored frames are damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_save_json(text, text, text, text, jsonb, text) IS
'pgmem_checkpoint_save for a checkpoint given as JSON text (document): the same result, '
'but the text is encoded once, straight into the frame stored, where pgmem_checkpoint_save '
'first makes it a compressed snapshot that a delta then replaces. Errors: 22023 for a NULL '
'document and the arguments as pgmem_checkpoint_save; the text''s input errors (22P02, '
'22P05, 22003, 54000) as pgmem_snapshot''s text input raises them; XX001 when the base''s '
'stored frames are damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_put(text, pgmem_snapshot, text, text, text, jsonb, text) IS
'Internal: the body of pgmem_checkpoint_save and pgmem_checkpoint_save_json; snapshot or '
'document (JSON text) is the checkpoint. Errors: as pgmem_checkpoint_save.';
COMMENT ON FUNCTION pgmem_checkpoint_load(text, text) IS
'The checkpoint checkpoint_id of session_id, or the session''s latest (saved_at DESC, '
'checkpoint_id DESC) when checkpoint_id is NULL; zero rows when there is none. The '
'snapshot is always complete: a checkpoint stored as a delta is rebuilt from its chain '
'and returned uncompressed. Errors: 22023 for session_id not 1..255 characters or '
'checkpoint_id not 1..64; XX001 naming the checkpoint when a frame of its chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_list(text, integer, text, jsonb) IS
'The checkpoints of session_id, newest first, at most max_rows, without snapshot bodies '
'but with raw_bytes (the CBOR size of the complete snapshot) and stored_bytes (the bytes '
'its row stores: the whole snapshot for a keyframe, the delta otherwise). before_id pages: only checkpoints older than '
'it (none when it is not in the session). metadata_filter keeps rows whose metadata @> '
'it. Errors: 22023 for session_id not 1..255 characters or max_rows outside 1..10000.';
COMMENT ON FUNCTION pgmem_checkpoint_delete(text, text) IS
'Delete checkpoint checkpoint_id of session_id, or every checkpoint of the session when '
'checkpoint_id is NULL; returns how many rows were deleted (0 is not an error). '
'Checkpoints stored against a deleted one are re-encoded in the same transaction. '
'Errors: 22023 for session_id not 1..255 characters or checkpoint_id not 1..64.';
COMMENT ON FUNCTION pgmem_checkpoint_prune(text[], integer) IS
'Retention: keep the newest keep checkpoints of each session in session_ids (every '
'session when NULL) and delete the rest, re-encoding what the kept ones are stored '
'against; returns how many were deleted. Errors: 22023 for keep NULL or negative.';
COMMENT ON FUNCTION pgmem_checkpoint_expire(interval, boolean, integer) IS
'Retention: delete checkpoints saved before now() - older_than, oldest first, at most '
'max_rows per call (call again for the next batch), never a session''s latest when '
'keep_latest; returns how many were deleted. Errors: 22023 for older_than NULL or '
'negative, keep_latest NULL, max_rows outside 1..10000.';
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
COMMENT ON FUNCTION pgmem_checkpoint_chain(text, text) IS
'Internal: the ids and frames of a checkpoint''s chain, keyframe first (NULL arrays when '
'there is no such checkpoint). Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_base(text, text, text) IS
'Internal: the base of a new checkpoint checkpoint_id of session_id: parent_id when it is '
'in the session, else the session''s latest other checkpoint; NULL when there is none. '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_lock(text) IS
'Internal: the transaction-scoped advisory lock every writer of session_id takes first. '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_unlink(text, text[]) IS
'Internal: re-encode the checkpoints of session_id stored against any of removed; returns '
'how many. The caller holds pgmem_checkpoint_lock. Errors: XX001 for damaged frames.';
COMMENT ON FUNCTION pgmem_checkpoint_remove(text, text[]) IS
'Internal: delete the checkpoints removed of session_id after re-encoding what is stored '
'against them; returns how many were deleted. Errors: XX001 for damaged frames.';
COMMENT ON FUNCTION pgmem_checkpoint_superseded(text, timestamptz, text) IS
'Internal: whether session_id has a checkpoint newer than (saved_at, checkpoint_id). '
'Errors: none.';
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
'the setting pgmem.user_id and checkpoints whose session_id equals pgmem.session_id, set '
'per transaction with set_config(..., true). pg_dump does not keep it: run it again '
'after a restore. Errors: 22023 for NULL enabled, 42501 for a caller that does not own '
'the tables.';
