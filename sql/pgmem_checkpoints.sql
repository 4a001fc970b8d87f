-- Checkpoints (README, "Checkpoints"): snapshots of an agent session, saved after each turn.
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
    snapshot      pgmem_snapshot NOT NULL,
    saved_at      timestamptz NOT NULL,
    CONSTRAINT pgmem_checkpoints_pkey PRIMARY KEY (session_id, checkpoint_id)
);
-- Serves "latest of a session" and "newest first" (and paging) without a sort.
CREATE INDEX pgmem_checkpoints_newest ON pgmem_checkpoints (session_id, saved_at DESC, checkpoint_id DESC);
-- The type's storage already is external; said again so the column's intent is plain.
ALTER TABLE pgmem_checkpoints ALTER COLUMN snapshot SET STORAGE EXTERNAL;
-- An extension's tables are dumped empty unless registered: keep every checkpoint.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pgmem_checkpoints', '');

CREATE FUNCTION pgmem_checkpoint_save(
    session_id text,
    snapshot pgmem_snapshot,
    checkpoint_id text DEFAULT NULL,
    label text DEFAULT NULL,
    metadata jsonb DEFAULT '{}',
    parent_id text DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text;
    cid text;
    pid text;
BEGIN
    -- Arguments are checked first, so an error names the argument and nothing else.
    IF pgmem_checkpoint_save.snapshot IS NULL THEN
        RAISE EXCEPTION 'snapshot must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    sid := @extschema@.pgmem_checked_id(pgmem_checkpoint_save.session_id, 'session_id');
    cid := @extschema@.pgmem_checked_id(
        coalesce(pgmem_checkpoint_save.checkpoint_id, @extschema@.pgmem_uuidv7()::text),
        'checkpoint_id');
    IF pgmem_checkpoint_save.parent_id IS NOT NULL THEN
        pid := @extschema@.pgmem_checked_id(pgmem_checkpoint_save.parent_id, 'parent_id');
    END IF;
    INSERT INTO @extschema@.pgmem_checkpoints AS c
        (session_id, checkpoint_id, parent_id, label, metadata, snapshot, saved_at)
    VALUES (sid, cid, pid, pgmem_checkpoint_save.label,
            coalesce(pgmem_checkpoint_save.metadata, '{}'), pgmem_checkpoint_save.snapshot,
            clock_timestamp())
    ON CONFLICT ON CONSTRAINT pgmem_checkpoints_pkey DO UPDATE
        SET parent_id = excluded.parent_id,
            label = excluded.label,
            metadata = excluded.metadata,
            snapshot = excluded.snapshot,
            saved_at = excluded.saved_at;
    RETURN cid;
END
$$;

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
    -- Exactly one branch runs: each is gated on whether a checkpoint_id was given.
    (SELECT c.checkpoint_id, c.parent_id, c.label, c.metadata, c.saved_at, c.snapshot
     FROM @extschema@.pgmem_checkpoints c
     WHERE pgmem_checkpoint_load.checkpoint_id IS NULL
       AND c.session_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.session_id, 'session_id')
     ORDER BY c.saved_at DESC, c.checkpoint_id DESC
     LIMIT 1)
    UNION ALL
    SELECT c.checkpoint_id, c.parent_id, c.label, c.metadata, c.saved_at, c.snapshot
    FROM @extschema@.pgmem_checkpoints c
    WHERE pgmem_checkpoint_load.checkpoint_id IS NOT NULL
      AND c.session_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.session_id, 'session_id')
      AND c.checkpoint_id = @extschema@.pgmem_checked_id(pgmem_checkpoint_load.checkpoint_id, 'checkpoint_id');
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
           @extschema@.pgmem_snapshot_raw_size(c.snapshot),
           @extschema@.pgmem_snapshot_stored_size(c.snapshot)
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

CREATE FUNCTION pgmem_checkpoint_delete(session_id text, checkpoint_id text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    sid text;
    cid text;
    deleted bigint;
BEGIN
    sid := @extschema@.pgmem_checked_id(pgmem_checkpoint_delete.session_id, 'session_id');
    IF pgmem_checkpoint_delete.checkpoint_id IS NULL THEN
        DELETE FROM @extschema@.pgmem_checkpoints c WHERE c.session_id = sid;
    ELSE
        cid := @extschema@.pgmem_checked_id(pgmem_checkpoint_delete.checkpoint_id, 'checkpoint_id');
        DELETE FROM @extschema@.pgmem_checkpoints c WHERE c.session_id = sid AND c.checkpoint_id = cid;
    END IF;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;
