-- Ranked episode search (README, "Ranked search"): BM25 over the user's episodes.
--
-- The query's terms the user's episodes hold are taken rarest first, in steps
-- (pgmem_bm25_steps). Each step reads, from the GIN index, the user's episodes that
-- hold a term of the step and none of an earlier step's, scores them on every query
-- term and keeps the best top_k. Once the k-th best score is above the most an
-- episode holding only later terms could score, no later episode can enter: the
-- result is exactly BM25's top_k, usually after reading the rarest terms' episodes
-- only. PL/pgSQL, so each statement's plan is made once per session.
CREATE FUNCTION pgmem_episode_similarity_search(user_id text, query text, top_k integer DEFAULT 10)
RETURNS TABLE (episode_id text, content text, metadata jsonb, inserted_at timestamptz, score real)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    k integer;
    uid text;
    lexemes text[];
    with_term bigint[];
    user_episodes bigint;
    user_length bigint;
    scoring bytea;
    step record;
    step_terms tsquery;
    scores real[] := '{}';
    ids text[] := '{}';
    times timestamptz[] := '{}';
BEGIN
    k := @extschema@.pgmem_checked_limit(pgmem_episode_similarity_search.top_k, 'top_k');
    uid := @extschema@.pgmem_tenant(pgmem_episode_similarity_search.user_id);
    IF uid IS NULL OR pgmem_episode_similarity_search.query IS NULL THEN
        RETURN;
    END IF;
    SELECT u.episodes, u.length INTO user_episodes, user_length
    FROM @extschema@.pgmem_episode_users u WHERE u.user_id = uid;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT array_agg(l.lexeme), array_agg(l.episodes) INTO lexemes, with_term
    FROM @extschema@.pgmem_episode_lexemes l
    WHERE l.user_id = uid
      AND l.lexeme = ANY (pg_catalog.tsvector_to_array(
              @extschema@.pgmem_search_terms(pgmem_episode_similarity_search.query)));
    IF lexemes IS NULL THEN
        RETURN;
    END IF;
    scoring := @extschema@.pgmem_bm25_query(lexemes, with_term, user_episodes, user_length);
    FOR step IN SELECT * FROM @extschema@.pgmem_bm25_steps(lexemes, with_term, user_episodes, user_length)
    LOOP
        step_terms := step.terms::tsquery;
        SELECT array_agg(b.s), array_agg(b.id), array_agg(b.t) INTO scores, ids, times
        FROM (SELECT c.s, c.id, c.t
              FROM (SELECT x.s, x.id, x.t FROM unnest(scores, ids, times) AS x(s, id, t)
                    UNION ALL
                    SELECT n.s, e.episode_id, e.inserted_at
                    FROM @extschema@.pgmem_episodes e,
                         LATERAL (SELECT @extschema@.pgmem_bm25_score(e.terms, scoring, step.skip) AS s) n
                    WHERE e.user_id = uid AND e.terms @@ step_terms AND n.s IS NOT NULL) c
              ORDER BY c.s DESC, c.t DESC, c.id DESC
              LIMIT k) b;
        -- The margin covers rounding the exact score to real.
        EXIT WHEN cardinality(scores) = k AND scores[k] > step.rest_bound * 1.000001;
    END LOOP;
    RETURN QUERY
        SELECT e.episode_id, e.content, e.metadata, e.inserted_at, r.s
        FROM unnest(scores, ids) WITH ORDINALITY AS r(s, id, ord)
        JOIN @extschema@.pgmem_episodes e ON e.user_id = uid AND e.episode_id = r.id
        ORDER BY r.ord;
END
$$;

-- Choose the text search configuration for every episode, and index them all again
-- with it (also the way to rebuild after a configuration's dictionaries changed).
CREATE FUNCTION pgmem_episode_set_search_config(config regconfig) RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    indexed bigint;
BEGIN
    IF pgmem_episode_set_search_config.config IS NULL THEN
        RAISE EXCEPTION 'config must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- No episode is written with the old configuration while this runs.
    LOCK TABLE @extschema@.pgmem_episodes IN SHARE ROW EXCLUSIVE MODE;
    INSERT INTO @extschema@.pgmem_search_config AS c (config)
    VALUES (pgmem_episode_set_search_config.config)
    ON CONFLICT ON CONSTRAINT pgmem_search_config_pkey DO UPDATE SET config = excluded.config;
    UPDATE @extschema@.pgmem_episodes e SET terms = NULL;
    GET DIAGNOSTICS indexed = ROW_COUNT;
    RETURN indexed;
END
$$;
