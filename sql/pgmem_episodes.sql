-- Episodic memory (README, "Episodic memory"): per-user records of past runs, searched by keyword
-- and loaded as few-shot examples. Every function is scoped by user_id and fails
-- closed: a missing user_id matches no one (pgmem_tenant).
--
-- As for checkpoints: reads are inlinable standard-body SQL functions, writes are
-- PL/pgSQL with search_path pinned and pgmem objects schema-qualified.

CREATE TABLE pgmem_episodes (
    user_id     text NOT NULL CHECK (@extschema@.pgmem_id_fits(user_id, 'user_id')),
    episode_id  text NOT NULL CHECK (@extschema@.pgmem_id_fits(episode_id, 'episode_id')),
    content     text NOT NULL,
    metadata    jsonb NOT NULL DEFAULT '{}',
    inserted_at timestamptz NOT NULL,
    -- What ranked search matches: set from content by pgmem_episodes_terms below.
    terms       tsvector NOT NULL,
    CONSTRAINT pgmem_episodes_pkey PRIMARY KEY (user_id, episode_id)
);
-- Search reads terms for every candidate episode: kept in the row (compressed if need
-- be), while a long content moves to TOAST first.
ALTER TABLE pgmem_episodes ALTER COLUMN terms SET STORAGE MAIN;
-- A user's episodes newest first: list, search, trimming.
CREATE INDEX pgmem_episodes_newest ON pgmem_episodes (user_id, inserted_at DESC, episode_id DESC);
-- Expiry across all users, oldest first, in bounded batches.
CREATE INDEX pgmem_episodes_inserted_at ON pgmem_episodes (inserted_at);
-- A user's episodes holding a query's terms: the keys tag each term with its user,
-- so a search reads only that user's posting lists, however many users there are.
CREATE INDEX pgmem_episodes_keys ON pgmem_episodes USING gin (@extschema@.pgmem_search_keys(user_id, terms));
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pgmem_episodes', '');

-- terms always follow content, whoever writes the row: a trigger rather than a
-- generated column, because the text search configuration is a setting
-- (pgmem_search_config), and setting terms by hand only makes them follow content.
CREATE FUNCTION pgmem_episodes_terms() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.terms := @extschema@.pgmem_search_terms(NEW.content);
    RETURN NEW;
END
$$;
CREATE TRIGGER pgmem_episodes_terms BEFORE INSERT OR UPDATE OF content, terms ON pgmem_episodes
    FOR EACH ROW EXECUTE FUNCTION pgmem_episodes_terms();


-- Writers for one user take this lock before they insert and trim, so that each trim
-- sees every episode stored before it and the cap holds under concurrency. A pair of
-- int4 keys: a separate space from single bigint advisory keys an application may use.
CREATE FUNCTION pgmem_episode_lock(user_id text) RETURNS void
LANGUAGE sql VOLATILE PARALLEL UNSAFE
BEGIN ATOMIC
    SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pgmem_episodes'),
                                            pg_catalog.hashtext(pgmem_episode_lock.user_id));
END;

CREATE FUNCTION pgmem_episode_trim(user_id text) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    uid text;
    keep integer;
    deleted bigint;
BEGIN
    uid := @extschema@.pgmem_checked_id(pgmem_episode_trim.user_id, 'user_id');
    keep := @extschema@.pgmem_episode_cap();
    IF keep <= 0 THEN
        RETURN 0;
    END IF;
    -- Everything older than the user's keep-th newest episode.
    DELETE FROM @extschema@.pgmem_episodes e
    WHERE e.user_id = uid
      AND (e.inserted_at, e.episode_id) < (
          SELECT x.inserted_at, x.episode_id FROM @extschema@.pgmem_episodes x
          WHERE x.user_id = uid
          ORDER BY x.inserted_at DESC, x.episode_id DESC
          OFFSET keep - 1 LIMIT 1);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

CREATE FUNCTION pgmem_episode_store(
    user_id text,
    content text,
    metadata jsonb DEFAULT '{}',
    episode_id text DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    uid text;
    eid text;
BEGIN
    uid := @extschema@.pgmem_checked_id(pgmem_episode_store.user_id, 'user_id');
    IF pgmem_episode_store.content IS NULL THEN
        RAISE EXCEPTION 'content must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    eid := @extschema@.pgmem_checked_id(
        coalesce(pgmem_episode_store.episode_id, @extschema@.pgmem_uuidv7()::text),
        'episode_id');
    PERFORM @extschema@.pgmem_episode_lock(uid);
    INSERT INTO @extschema@.pgmem_episodes AS e (user_id, episode_id, content, metadata, inserted_at)
    VALUES (uid, eid, pgmem_episode_store.content,
            coalesce(pgmem_episode_store.metadata, '{}'), clock_timestamp())
    ON CONFLICT ON CONSTRAINT pgmem_episodes_pkey DO UPDATE
        SET content = excluded.content,
            metadata = excluded.metadata,
            inserted_at = excluded.inserted_at;
    PERFORM @extschema@.pgmem_episode_trim(uid);
    RETURN eid;
END
$$;

CREATE FUNCTION pgmem_episode_store_many(
    user_id text,
    contents text[],
    metadata jsonb[] DEFAULT NULL,
    episode_ids text[] DEFAULT NULL
) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    uid text;
    n integer;
    missing integer;
    stored bigint;
BEGIN
    uid := @extschema@.pgmem_checked_id(pgmem_episode_store_many.user_id, 'user_id');
    IF pgmem_episode_store_many.contents IS NULL THEN
        RAISE EXCEPTION 'contents must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF coalesce(array_ndims(pgmem_episode_store_many.contents), 1) > 1
       OR coalesce(array_ndims(pgmem_episode_store_many.metadata), 1) > 1
       OR coalesce(array_ndims(pgmem_episode_store_many.episode_ids), 1) > 1 THEN
        RAISE EXCEPTION 'contents, metadata and episode_ids must be one-dimensional arrays'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    n := cardinality(pgmem_episode_store_many.contents);
    IF cardinality(pgmem_episode_store_many.metadata) <> n THEN
        RAISE EXCEPTION 'metadata has % elements but contents has %',
            cardinality(pgmem_episode_store_many.metadata), n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF cardinality(pgmem_episode_store_many.episode_ids) <> n THEN
        RAISE EXCEPTION 'episode_ids has % elements but contents has %',
            cardinality(pgmem_episode_store_many.episode_ids), n
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    missing := array_position(pgmem_episode_store_many.contents, NULL);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'contents[%] must not be NULL', missing
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (SELECT count(DISTINCT x) <> count(x) FROM unnest(pgmem_episode_store_many.episode_ids) AS x) THEN
        RAISE EXCEPTION 'episode_ids holds the same id twice'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Given ids are checked here, once; generated ones are always valid.
    PERFORM @extschema@.pgmem_checked_id(x, format('episode_ids[%s]', ord))
    FROM unnest(pgmem_episode_store_many.episode_ids) WITH ORDINALITY AS e(x, ord)
    WHERE x IS NOT NULL AND NOT @extschema@.pgmem_id_fits(x, 'episode_id');
    PERFORM @extschema@.pgmem_episode_lock(uid);
    -- One statement: all rows or none. clock_timestamp() is evaluated row by row in
    -- array order, so the array's last episode is the newest; rows are then written in
    -- episode_id order, so any two batches lock the rows they share in the same order.
    INSERT INTO @extschema@.pgmem_episodes AS e (user_id, episode_id, content, metadata, inserted_at)
    SELECT uid, b.episode_id, b.content, b.metadata, b.inserted_at
    FROM (SELECT coalesce(i.episode_id, @extschema@.pgmem_uuidv7()::text) AS episode_id,
                 i.content, coalesce(i.metadata, '{}') AS metadata,
                 clock_timestamp() AS inserted_at
          FROM unnest(pgmem_episode_store_many.contents, pgmem_episode_store_many.metadata,
                      pgmem_episode_store_many.episode_ids)
               WITH ORDINALITY AS i(content, metadata, episode_id, ord)
          ORDER BY i.ord) AS b
    ORDER BY b.episode_id
    ON CONFLICT ON CONSTRAINT pgmem_episodes_pkey DO UPDATE
        SET content = excluded.content,
            metadata = excluded.metadata,
            inserted_at = excluded.inserted_at;
    GET DIAGNOSTICS stored = ROW_COUNT;
    PERFORM @extschema@.pgmem_episode_trim(uid);
    RETURN stored;
END
$$;

CREATE FUNCTION pgmem_episode_search(
    user_id text,
    query text,
    top_k integer DEFAULT 10,
    metadata_filter jsonb DEFAULT NULL
) RETURNS TABLE (episode_id text, content text, metadata jsonb, inserted_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT e.episode_id, e.content, e.metadata, e.inserted_at
    FROM @extschema@.pgmem_episodes e
    WHERE e.user_id = @extschema@.pgmem_tenant(pgmem_episode_search.user_id)
      -- query is matched as typed (pgmem_like_pattern escapes its \, % and _).
      AND e.content ILIKE @extschema@.pgmem_like_pattern(pgmem_episode_search.query)
      AND (pgmem_episode_search.metadata_filter IS NULL
           OR e.metadata @> pgmem_episode_search.metadata_filter)
    ORDER BY e.inserted_at DESC, e.episode_id DESC
    LIMIT @extschema@.pgmem_checked_limit(pgmem_episode_search.top_k, 'top_k');
END;

CREATE FUNCTION pgmem_episode_list(user_id text, max_rows integer DEFAULT 100, before timestamptz DEFAULT NULL)
RETURNS TABLE (episode_id text, content text, metadata jsonb, inserted_at timestamptz)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT e.episode_id, e.content, e.metadata, e.inserted_at
    FROM @extschema@.pgmem_episodes e
    WHERE e.user_id = @extschema@.pgmem_tenant(pgmem_episode_list.user_id)
      AND e.inserted_at < coalesce(pgmem_episode_list.before, 'infinity')
    ORDER BY e.inserted_at DESC, e.episode_id DESC
    LIMIT @extschema@.pgmem_checked_limit(pgmem_episode_list.max_rows, 'max_rows');
END;

CREATE FUNCTION pgmem_episode_delete(user_id text, episode_id text) RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    uid text;
    eid text;
BEGIN
    uid := @extschema@.pgmem_tenant(pgmem_episode_delete.user_id);
    IF uid IS NULL THEN
        RETURN false;
    END IF;
    eid := @extschema@.pgmem_checked_id(pgmem_episode_delete.episode_id, 'episode_id');
    DELETE FROM @extschema@.pgmem_episodes e WHERE e.user_id = uid AND e.episode_id = eid;
    RETURN FOUND;
END
$$;

CREATE FUNCTION pgmem_episode_forget(user_id text) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    uid text;
    deleted bigint;
BEGIN
    uid := @extschema@.pgmem_tenant(pgmem_episode_forget.user_id);
    IF uid IS NULL THEN
        RETURN 0;
    END IF;
    DELETE FROM @extschema@.pgmem_episodes e WHERE e.user_id = uid;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END
$$;

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
