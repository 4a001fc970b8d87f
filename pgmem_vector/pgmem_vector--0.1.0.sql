-- pgmem_vector (README, "Semantic search"): embeddings of pgmem's episodes, computed by
-- the application with its own model, stored next to the episode and searched by cosine
-- distance with pgvector, alone or fused with pgmem's BM25 ranking.
--
-- Conventions are pgmem's: every function is scoped by user_id and fails closed, PL/pgSQL
-- pins search_path and reaches pgmem's objects through @extschema@. pgvector's objects
-- are bound when this script runs (SQL-standard bodies, whose references are resolved
-- once, whatever schema pgvector is in); the one dynamic statement names them through
-- the embedding column's type.
\echo Use "CREATE EXTENSION pgmem_vector CASCADE" to load this file. \quit

-- @extschema@ also names pgmem's objects: both extensions share a schema.
DO $$
DECLARE
    pgmem_schema name;
BEGIN
    SELECT n.nspname INTO pgmem_schema
    FROM pg_catalog.pg_extension x JOIN pg_catalog.pg_namespace n ON n.oid = x.extnamespace
    WHERE x.extname = 'pgmem';
    IF pgmem_schema IS DISTINCT FROM (SELECT n.nspname FROM pg_catalog.pg_namespace n
                                      WHERE n.oid = '@extschema@'::regnamespace) THEN
        RAISE EXCEPTION 'pgmem_vector must be created in the schema of pgmem'
            USING ERRCODE = 'invalid_schema_name',
                  HINT = format('CREATE EXTENSION pgmem_vector SCHEMA %I', pgmem_schema);
    END IF;
END
$$;

-- One embedding per episode, deleted with it (trim, expire, forget, delete) and moved
-- with it. All of a user's embeddings have one dimension (pgmem_episode_embeddings_check).
CREATE TABLE pgmem_episode_embeddings (
    user_id    text NOT NULL,
    episode_id text NOT NULL,
    embedding  vector NOT NULL,
    -- The number of the user's HNSW index (pgmem_episode_vector_index), or NULL.
    graph      integer,
    CONSTRAINT pgmem_episode_embeddings_pkey PRIMARY KEY (user_id, episode_id),
    CONSTRAINT pgmem_episode_embeddings_episode FOREIGN KEY (user_id, episode_id)
        REFERENCES @extschema@.pgmem_episodes (user_id, episode_id)
        ON DELETE CASCADE ON UPDATE CASCADE
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pgmem_episode_embeddings', '');
-- Index numbers are never reused, so an index left empty by a forgotten user is never
-- taken for another user's.
CREATE SEQUENCE pgmem_episode_embeddings_graph AS integer;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pgmem_episode_embeddings_graph', '');

-- The dimensions of an embedding, 0 for a zero vector (which has no cosine distance).
CREATE FUNCTION pgmem_vector_dims(embedding vector) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE WHEN vector_norm(embedding) > 0 THEN vector_dims(embedding) ELSE 0 END;
END;

-- The dimensions of a non-zero vector; for a zero one, 22023 naming the argument.
CREATE FUNCTION pgmem_vector_checked(embedding vector, argument text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dims integer := @extschema@.pgmem_vector_dims(embedding);
BEGIN
    IF dims = 0 THEN
        RAISE EXCEPTION '% must not be a zero vector (it has no cosine distance)', argument
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN dims;
END
$$;

-- The schema of pgvector's type, for the dynamic statements below.
CREATE FUNCTION pgmem_vector_schema() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT t.typnamespace::regnamespace::text
    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = '@extschema@.pgmem_episode_embeddings'::regclass AND a.attname = 'embedding';
END;

-- Every writer's rows are checked here: a non-zero vector with the dimensions of the
-- user's other embeddings, in the user's index when the user has one. Rows written
-- earlier by the same statement count as other embeddings.
CREATE FUNCTION pgmem_episode_embeddings_check() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dims integer;
    held integer;
    other_graph integer;
BEGIN
    dims := @extschema@.pgmem_vector_checked(NEW.embedding, 'embedding');
    SELECT @extschema@.pgmem_vector_dims(x.embedding), x.graph INTO held, other_graph
    FROM @extschema@.pgmem_episode_embeddings x
    WHERE x.user_id = NEW.user_id AND x.episode_id <> NEW.episode_id
    LIMIT 1;
    IF held <> dims THEN
        RAISE EXCEPTION 'embedding has % dimensions, but the user''s other embeddings have %', dims, held
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'One model per user: delete the user''s embeddings before storing another model''s.';
    END IF;
    -- A row joins its user's index. A user's first row keeps graph as written (NULL,
    -- or a restore's), and an UPDATE that keeps user_id too: only
    -- pgmem_episode_vector_index and _unindex change it.
    IF FOUND AND (TG_OP = 'INSERT' OR NEW.user_id <> OLD.user_id) THEN
        NEW.graph := other_graph;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER pgmem_episode_embeddings_check BEFORE INSERT OR UPDATE ON pgmem_episode_embeddings
    FOR EACH ROW EXECUTE FUNCTION pgmem_episode_embeddings_check();

-- An episode whose content changes loses its embedding, which described the old content.
CREATE FUNCTION pgmem_episodes_unembed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    DELETE FROM @extschema@.pgmem_episode_embeddings x
    WHERE x.user_id = NEW.user_id AND x.episode_id = NEW.episode_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER pgmem_episodes_unembed AFTER UPDATE OF content ON @extschema@.pgmem_episodes
    FOR EACH ROW WHEN (OLD.content IS DISTINCT FROM NEW.content)
    EXECUTE FUNCTION pgmem_episodes_unembed();
-- The trigger is on pgmem's table: DROP EXTENSION pgmem_vector drops it too.
ALTER TRIGGER pgmem_episodes_unembed ON @extschema@.pgmem_episodes DEPENDS ON EXTENSION pgmem_vector;

CREATE FUNCTION pgmem_episode_embed(user_id text, episode_id text, embedding vector)
RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    uid text;
    eid text;
BEGIN
    uid := @extschema@.pgmem_checked_id(pgmem_episode_embed.user_id, 'user_id');
    eid := @extschema@.pgmem_checked_id(pgmem_episode_embed.episode_id, 'episode_id');
    IF pgmem_episode_embed.embedding IS NULL THEN
        RAISE EXCEPTION 'embedding must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Writers of one user are serialized, so their embeddings' dimensions are checked
    -- against each other.
    PERFORM @extschema@.pgmem_episode_lock(uid);
    INSERT INTO @extschema@.pgmem_episode_embeddings AS x (user_id, episode_id, embedding)
    SELECT e.user_id, e.episode_id, pgmem_episode_embed.embedding
    FROM @extschema@.pgmem_episodes e
    WHERE e.user_id = uid AND e.episode_id = eid
    ON CONFLICT ON CONSTRAINT pgmem_episode_embeddings_pkey DO UPDATE
        SET embedding = excluded.embedding;
    RETURN FOUND;
END
$$;

CREATE FUNCTION pgmem_episode_store_embedded(
    user_id text,
    content text,
    embedding vector,
    metadata jsonb DEFAULT '{}',
    episode_id text DEFAULT NULL
) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    eid text;
BEGIN
    IF pgmem_episode_store_embedded.embedding IS NULL THEN
        RAISE EXCEPTION 'embedding must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    eid := @extschema@.pgmem_episode_store(pgmem_episode_store_embedded.user_id,
                                           pgmem_episode_store_embedded.content,
                                           pgmem_episode_store_embedded.metadata,
                                           pgmem_episode_store_embedded.episode_id);
    PERFORM @extschema@.pgmem_episode_embed(pgmem_episode_store_embedded.user_id, eid,
                                            pgmem_episode_store_embedded.embedding);
    RETURN eid;
END
$$;

CREATE FUNCTION pgmem_episode_store_many_embedded(
    user_id text,
    contents text[],
    embeddings vector[],
    metadata jsonb[] DEFAULT NULL,
    episode_ids text[] DEFAULT NULL
) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    uid text;
    ids text[];
    missing integer;
    stored bigint;
BEGIN
    uid := @extschema@.pgmem_checked_id(pgmem_episode_store_many_embedded.user_id, 'user_id');
    IF pgmem_episode_store_many_embedded.embeddings IS NULL
       OR coalesce(array_ndims(pgmem_episode_store_many_embedded.embeddings), 1) > 1 THEN
        RAISE EXCEPTION 'embeddings must be a one-dimensional array'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF cardinality(pgmem_episode_store_many_embedded.embeddings)
       <> cardinality(pgmem_episode_store_many_embedded.contents) THEN
        RAISE EXCEPTION 'embeddings has % elements but contents has %',
            cardinality(pgmem_episode_store_many_embedded.embeddings),
            cardinality(pgmem_episode_store_many_embedded.contents)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    missing := array_position(pgmem_episode_store_many_embedded.embeddings, NULL);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'embeddings[%] must not be NULL', missing
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Ids generated here rather than by pgmem_episode_store_many, to pair each
    -- embedding with its episode; a given id is kept (and checked there).
    SELECT array_agg(coalesce(i.id, @extschema@.pgmem_uuidv7()::text) ORDER BY i.ord) INTO ids
    FROM unnest(coalesce(pgmem_episode_store_many_embedded.episode_ids,
                         array_fill(NULL::text, ARRAY[cardinality(pgmem_episode_store_many_embedded.contents)])))
         WITH ORDINALITY AS i(id, ord);
    stored := @extschema@.pgmem_episode_store_many(uid, pgmem_episode_store_many_embedded.contents,
                                                   pgmem_episode_store_many_embedded.metadata,
                                                   coalesce(ids, '{}'));
    -- In episode_id order, as the episodes were; episodes the cap trimmed get none.
    INSERT INTO @extschema@.pgmem_episode_embeddings AS x (user_id, episode_id, embedding)
    SELECT e.user_id, e.episode_id, b.embedding
    FROM unnest(ids, pgmem_episode_store_many_embedded.embeddings) AS b(episode_id, embedding)
    JOIN @extschema@.pgmem_episodes e ON e.user_id = uid AND e.episode_id = b.episode_id
    ORDER BY e.episode_id
    ON CONFLICT ON CONSTRAINT pgmem_episode_embeddings_pkey DO UPDATE
        SET embedding = excluded.embedding;
    RETURN stored;
END
$$;

-- The top_k embeddings of user uid nearest to query_embedding (cosine distance, ties by
-- episode_id, newest first for pgmem's time-ordered ids), exactly.
CREATE FUNCTION pgmem_vector_exact(uid text, query_embedding vector, top_k integer)
RETURNS TABLE (episode_id text, distance double precision)
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT x.episode_id, x.embedding <=> pgmem_vector_exact.query_embedding
    FROM @extschema@.pgmem_episode_embeddings x
    WHERE x.user_id = pgmem_vector_exact.uid
    ORDER BY 2, x.episode_id DESC
    LIMIT pgmem_vector_exact.top_k;
END;

-- The same from the user's HNSW index when there is one. pgvector reads at most
-- hnsw.ef_search rows from it: for the call at least 2 * top_k and at least 100, as
-- pgvector's default of 40 loses much recall on clustered embeddings (near-duplicate
-- memories) to save about a millisecond.
CREATE FUNCTION pgmem_vector_nearest(uid text, query_embedding vector, top_k integer)
RETURNS TABLE (episode_id text, distance double precision)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dims integer;
    held integer;
    g integer;
    ef text;
    vschema text;
BEGIN
    dims := @extschema@.pgmem_vector_checked(pgmem_vector_nearest.query_embedding, 'query_embedding');
    SELECT @extschema@.pgmem_vector_dims(x.embedding), x.graph INTO held, g
    FROM @extschema@.pgmem_episode_embeddings x WHERE x.user_id = uid LIMIT 1;
    IF held IS NULL THEN
        RETURN;
    END IF;
    IF held <> dims THEN
        RAISE EXCEPTION 'query_embedding has % dimensions, but the user''s embeddings have %', dims, held
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- No index (or not yet rebuilt after a restore), or more rows than HNSW gives.
    IF g IS NULL OR 2 * top_k > 1000
       OR to_regclass('@extschema@.pgmem_episode_embeddings_hnsw_' || g) IS NULL THEN
        RETURN QUERY SELECT n.episode_id, n.distance
                     FROM @extschema@.pgmem_vector_exact(uid, pgmem_vector_nearest.query_embedding, top_k) n;
        RETURN;
    END IF;
    ef := current_setting('hnsw.ef_search');
    PERFORM set_config('hnsw.ef_search', greatest(ef::integer, 2 * top_k, 100)::text, true);
    vschema := @extschema@.pgmem_vector_schema();
    -- The index's expression and predicate as written when it was built; the outer
    -- user_id test keeps a row out that direct DML put in this user's index.
    RETURN QUERY EXECUTE format(
        'SELECT n.episode_id, n.distance FROM ('
        ' SELECT x.episode_id, x.user_id, x.embedding::%1$s.vector(%2$s) OPERATOR(%1$s.<=>) $1 AS distance'
        ' FROM @extschema@.pgmem_episode_embeddings x WHERE x.graph = %3$s'
        ' ORDER BY 3 LIMIT $3) n WHERE n.user_id = $2', vschema, dims, g)
        USING pgmem_vector_nearest.query_embedding, uid, top_k;
    PERFORM set_config('hnsw.ef_search', ef, true);
END
$$;

CREATE FUNCTION pgmem_episode_vector_search(user_id text, query_embedding vector, top_k integer DEFAULT 10)
RETURNS TABLE (episode_id text, content text, metadata jsonb, inserted_at timestamptz, score real)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k integer;
    uid text;
    ids text[];
    distances double precision[];
BEGIN
    k := @extschema@.pgmem_checked_limit(pgmem_episode_vector_search.top_k, 'top_k');
    uid := @extschema@.pgmem_tenant(pgmem_episode_vector_search.user_id);
    IF uid IS NULL OR pgmem_episode_vector_search.query_embedding IS NULL THEN
        RETURN;
    END IF;
    SELECT array_agg(n.episode_id ORDER BY n.ord), array_agg(n.distance ORDER BY n.ord)
    INTO ids, distances
    FROM @extschema@.pgmem_vector_nearest(uid, pgmem_episode_vector_search.query_embedding, k)
         WITH ORDINALITY AS n(episode_id, distance, ord);
    -- From arrays, whose length the planner knows: one index probe per episode.
    RETURN QUERY
        SELECT e.episode_id, e.content, e.metadata, e.inserted_at, (1 - r.distance)::real
        FROM unnest(ids, distances) WITH ORDINALITY AS r(id, distance, ord)
        JOIN @extschema@.pgmem_episodes e ON e.user_id = uid AND e.episode_id = r.id
        ORDER BY r.ord;
END
$$;

-- Reciprocal rank fusion: an episode's score is the sum over both rankings of
-- weight / (60 + its rank there), each ranking read to depth max(2 * top_k, 20).
CREATE FUNCTION pgmem_episode_hybrid_search(
    user_id text,
    query text,
    query_embedding vector,
    top_k integer DEFAULT 10,
    lexical_weight real DEFAULT 1,
    vector_weight real DEFAULT 1
) RETURNS TABLE (episode_id text, content text, metadata jsonb, inserted_at timestamptz, score real)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k integer;
    depth integer;
    uid text;
    lw double precision := pgmem_episode_hybrid_search.lexical_weight;
    vw double precision := pgmem_episode_hybrid_search.vector_weight;
    lexical text[] := '{}';
    semantic text[] := '{}';
BEGIN
    k := @extschema@.pgmem_checked_limit(pgmem_episode_hybrid_search.top_k, 'top_k');
    IF lw IS NULL OR vw IS NULL OR NOT (lw >= 0 AND vw >= 0 AND lw + vw > 0 AND lw + vw < 'Infinity') THEN
        RAISE EXCEPTION 'lexical_weight and vector_weight must be finite, 0 or more, and not both 0'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    uid := @extschema@.pgmem_tenant(pgmem_episode_hybrid_search.user_id);
    IF uid IS NULL THEN
        RETURN;
    END IF;
    depth := least(greatest(2 * k, 20), 10000);
    IF lw > 0 THEN
        SELECT coalesce(array_agg(s.episode_id ORDER BY s.ord), '{}') INTO lexical
        FROM @extschema@.pgmem_episode_similarity_search(uid, pgmem_episode_hybrid_search.query, depth)
             WITH ORDINALITY AS s(episode_id, content, metadata, inserted_at, score, ord);
    END IF;
    IF vw > 0 AND pgmem_episode_hybrid_search.query_embedding IS NOT NULL THEN
        SELECT coalesce(array_agg(n.episode_id ORDER BY n.ord), '{}') INTO semantic
        FROM @extschema@.pgmem_vector_nearest(uid, pgmem_episode_hybrid_search.query_embedding, depth)
             WITH ORDINALITY AS n(episode_id, distance, ord);
    END IF;
    RETURN QUERY
        SELECT e.episode_id, e.content, e.metadata, e.inserted_at, f.score::real
        FROM (SELECT coalesce(l.id, v.id) AS id,
                     coalesce(lw / (60 + l.ord), 0) + coalesce(vw / (60 + v.ord), 0) AS score
              FROM unnest(lexical) WITH ORDINALITY AS l(id, ord)
              FULL JOIN unnest(semantic) WITH ORDINALITY AS v(id, ord) ON v.id = l.id) f
        JOIN @extschema@.pgmem_episodes e ON e.user_id = uid AND e.episode_id = f.id
        ORDER BY f.score DESC, e.inserted_at DESC, e.episode_id DESC
        LIMIT k;
END
$$;

-- Drop the HNSW indexes no user's embeddings are in any more (left by a forgotten
-- user: dropping them inside the DELETE is not possible).
CREATE FUNCTION pgmem_vector_drop_unused() RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    unused text;
BEGIN
    FOR unused IN
        SELECT c.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = '@extschema@.pgmem_episode_embeddings'::regclass
          AND c.relname ~ '^pgmem_episode_embeddings_hnsw_[0-9]+$'
          AND NOT EXISTS (SELECT FROM @extschema@.pgmem_episode_embeddings x
                          WHERE x.graph = substr(c.relname, 31)::integer)
    LOOP
        EXECUTE format('DROP INDEX @extschema@.%I', unused);
    END LOOP;
END
$$;

-- A user's own HNSW index (cosine), a partial index over the rows holding the user's
-- number: searches read only that user's graph, so the per-user filter costs nothing
-- and loses nothing. Blocks embedding writes while it builds.
CREATE FUNCTION pgmem_episode_vector_index(user_id text) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    uid text;
    g integer;
    dims integer;
    index_name text;
BEGIN
    uid := @extschema@.pgmem_checked_id(pgmem_episode_vector_index.user_id, 'user_id');
    LOCK TABLE @extschema@.pgmem_episode_embeddings IN SHARE ROW EXCLUSIVE MODE;
    PERFORM @extschema@.pgmem_vector_drop_unused();
    SELECT @extschema@.pgmem_vector_dims(x.embedding), x.graph INTO dims, g
    FROM @extschema@.pgmem_episode_embeddings x WHERE x.user_id = uid LIMIT 1;
    IF dims IS NULL THEN
        RAISE EXCEPTION 'user_id has no embeddings to index' USING ERRCODE = 'no_data_found';
    END IF;
    IF g IS NULL THEN
        g := nextval('@extschema@.pgmem_episode_embeddings_graph');
    END IF;
    UPDATE @extschema@.pgmem_episode_embeddings x SET graph = g
    WHERE x.user_id = uid AND x.graph IS DISTINCT FROM g;
    index_name := 'pgmem_episode_embeddings_hnsw_' || g;
    IF to_regclass('@extschema@.' || index_name) IS NOT NULL THEN
        RETURN index_name;
    END IF;
    EXECUTE format('CREATE INDEX %1$I ON @extschema@.pgmem_episode_embeddings'
                   ' USING hnsw ((embedding::%2$s.vector(%3$s)) %2$s.vector_cosine_ops) WHERE graph = %4$s',
                   index_name, @extschema@.pgmem_vector_schema(), dims, g);
    RETURN index_name;
END
$$;

-- pg_dump keeps the rows and which user had an index, not the indexes: after a restore,
-- this builds them all again.
CREATE FUNCTION pgmem_episode_vector_reindex() RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    users text[];
    uid text;
BEGIN
    -- Collected first: an index cannot be built while a query reads the table.
    SELECT coalesce(array_agg(DISTINCT x.user_id), '{}') INTO users
    FROM @extschema@.pgmem_episode_embeddings x WHERE x.graph IS NOT NULL;
    FOREACH uid IN ARRAY users LOOP
        PERFORM @extschema@.pgmem_episode_vector_index(uid);
    END LOOP;
    RETURN cardinality(users);
END
$$;

CREATE FUNCTION pgmem_episode_vector_unindex(user_id text) RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    uid text;
BEGIN
    uid := @extschema@.pgmem_checked_id(pgmem_episode_vector_unindex.user_id, 'user_id');
    LOCK TABLE @extschema@.pgmem_episode_embeddings IN SHARE ROW EXCLUSIVE MODE;
    UPDATE @extschema@.pgmem_episode_embeddings x SET graph = NULL
    WHERE x.user_id = uid AND x.graph IS NOT NULL;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM @extschema@.pgmem_vector_drop_unused();
    RETURN true;
END
$$;

-- Row-level security on the embeddings, as pgmem_row_security does for episodes: rows
-- visible and writable only where user_id = pgmem.user_id.
CREATE FUNCTION pgmem_vector_row_security(enabled boolean) RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
BEGIN
    IF pgmem_vector_row_security.enabled IS NULL THEN
        RAISE EXCEPTION 'enabled must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DROP POLICY IF EXISTS pgmem_episode_embeddings_tenant ON @extschema@.pgmem_episode_embeddings;
    IF NOT pgmem_vector_row_security.enabled THEN
        ALTER TABLE @extschema@.pgmem_episode_embeddings DISABLE ROW LEVEL SECURITY;
        RETURN false;
    END IF;
    CREATE POLICY pgmem_episode_embeddings_tenant ON @extschema@.pgmem_episode_embeddings
        USING (user_id = (SELECT current_setting('pgmem.user_id', true)))
        WITH CHECK (user_id = (SELECT current_setting('pgmem.user_id', true)));
    ALTER TABLE @extschema@.pgmem_episode_embeddings ENABLE ROW LEVEL SECURITY;
    RETURN true;
END
$$;
-- Isolation on for the episodes: on for their embeddings too, from the start.
SELECT @extschema@.pgmem_vector_row_security(true)
FROM pg_catalog.pg_class c
WHERE c.oid = '@extschema@.pgmem_episodes'::regclass AND c.relrowsecurity;

COMMENT ON TABLE pgmem_episode_embeddings IS
'One embedding per episode of pgmem_episodes (pgvector, cosine distance), deleted and moved '
'with its episode, deleted when its content changes; one dimension per user; graph: the '
'number of the user''s HNSW index, if any. Dumped by pg_dump (its HNSW indexes are not: '
'build them again with pgmem_episode_vector_reindex).';
COMMENT ON SEQUENCE pgmem_episode_embeddings_graph IS
'Numbers of the per-user HNSW indexes, never reused.';
COMMENT ON FUNCTION pgmem_episode_embed(text, text, vector) IS
'Set or replace the embedding of episode episode_id of user_id; false when there is no such '
'episode. Errors: 22023 for a NULL or zero embedding, one whose dimensions differ from the '
'user''s other embeddings, and user_id or episode_id as pgmem_episode_store.';
COMMENT ON FUNCTION pgmem_episode_store_embedded(text, text, vector, jsonb, text) IS
'pgmem_episode_store(user_id, content, metadata, episode_id) with the episode''s embedding, '
'in one statement; returns the episode id. Errors: as pgmem_episode_store and '
'pgmem_episode_embed; nothing is stored on error.';
COMMENT ON FUNCTION pgmem_episode_store_many_embedded(text, text[], vector[], jsonb[], text[]) IS
'pgmem_episode_store_many(user_id, contents, metadata, episode_ids) with embeddings, one per '
'element of contents, all or nothing; '
'returns how many episodes were stored. Errors: 22023 for embeddings that is NULL, '
'multi-dimensional, of another length than contents or with a NULL element, and as '
'pgmem_episode_store_many and pgmem_episode_embed.';
COMMENT ON FUNCTION pgmem_episode_vector_search(text, vector, integer) IS
'The episodes of user_id whose embeddings are nearest to query_embedding by cosine distance, '
'at most top_k; score is the cosine similarity (1 - distance). Exact, or approximate from the '
'user''s HNSW index once pgmem_episode_vector_index built it (for top_k up to 500). NULL '
'query_embedding or NULL or empty user_id: no rows. Errors: 22023 for a zero '
'query_embedding, one whose dimensions differ from the user''s embeddings, and top_k and '
'user_id as pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_episode_hybrid_search(text, text, vector, integer, real, real) IS
'The episodes of user_id ranked by reciprocal rank fusion of pgmem_episode_similarity_search '
'(BM25 on query) and pgmem_episode_vector_search (query_embedding), each read to depth '
'max(2 * top_k, 20): score = lexical_weight / (60 + lexical rank) + vector_weight / (60 + '
'vector rank), a ranking the episode is missing from adding 0; ties newest first; at most '
'top_k. A NULL query or query_embedding (or a weight of 0) leaves that ranking out. Errors: '
'22023 for weights that are NULL, negative, infinite or both 0, and as '
'pgmem_episode_vector_search.';
COMMENT ON FUNCTION pgmem_episode_vector_index(text) IS
'Build the HNSW index (pgvector, cosine, default build parameters) of user_id''s embeddings, '
'a partial index holding only that user''s rows, and return its name; vector search for the '
'user then reads it. Idempotent. Blocks embedding writes while '
'it builds. Errors: P0002 when the user has no embeddings; 22023 for a NULL, empty or too '
'long user_id; 42501 without ownership of pgmem_episode_embeddings.';
COMMENT ON FUNCTION pgmem_episode_vector_reindex() IS
'Build again every user''s HNSW index that is missing, as after a restore (pg_dump keeps '
'the rows, not these indexes); returns how many users have one. Errors: as '
'pgmem_episode_vector_index.';
COMMENT ON FUNCTION pgmem_episode_vector_unindex(text) IS
'Drop user_id''s HNSW index; false when the user had none. Vector search for the user is '
'then exact. Errors: 22023 for a NULL, empty or too long user_id; 42501 without ownership '
'of pgmem_episode_embeddings.';
COMMENT ON FUNCTION pgmem_vector_row_security(boolean) IS
'Enable (enabled true) or disable (false) row-level security on pgmem_episode_embeddings, '
'with a policy user_id = current_setting(''pgmem.user_id''); returns the new state. Run '
'after pgmem_row_security, and again after a restore. Errors: 22023 for NULL; 42501 for '
'anyone but the table''s owner.';
COMMENT ON FUNCTION pgmem_vector_dims(vector) IS
'Internal: the dimensions of an embedding, 0 for a zero vector. Errors: none.';
COMMENT ON FUNCTION pgmem_vector_checked(vector, text) IS
'Internal: the dimensions of an embedding. Errors: 22023 naming argument for a zero vector.';
COMMENT ON FUNCTION pgmem_vector_schema() IS
'Internal: the schema of pgvector''s vector type. Errors: none.';
COMMENT ON FUNCTION pgmem_episode_embeddings_check() IS
'Internal trigger: rejects zero embeddings and a dimension other than the user''s, and '
'puts a new row in its user''s HNSW index. Errors: 22023 for such embeddings.';
COMMENT ON FUNCTION pgmem_episodes_unembed() IS
'Internal trigger: deletes the embedding of an episode whose content changed. Errors: none.';
COMMENT ON FUNCTION pgmem_vector_exact(text, vector, integer) IS
'Internal: the top_k nearest embeddings of user uid to query_embedding, exactly. Errors: '
'none.';
COMMENT ON FUNCTION pgmem_vector_nearest(text, vector, integer) IS
'Internal: the top_k nearest embeddings of user uid to query_embedding, from the user''s '
'HNSW index if any. Errors: 22023 for a zero query_embedding or one of other dimensions.';
COMMENT ON FUNCTION pgmem_vector_drop_unused() IS
'Internal: drops HNSW indexes that no user''s embeddings are in. Errors: none.';
