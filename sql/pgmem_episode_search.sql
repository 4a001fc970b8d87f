-- Ranked episode search (README, "Ranked search"): BM25 over the user's episodes.
--
-- No term adds more to a score than its bound, so an episode scoring at least a
-- threshold holds one of the sets of query terms whose bounds add up to it
-- (pgmem_bm25_match). Given as one tsquery of those sets, GIN reads the postings of
-- the terms every set needs and returns only the user's episodes that can reach the
-- threshold (the index's keys tag each term with its user: pgmem_search_keys); those are scored and the best top_k kept. The first threshold is half
-- of what all the query's terms can add; while fewer than top_k episodes reach it, it halves;
-- then one last read at the k-th best score finds every episode that can tie or beat
-- it. The result is exactly BM25's top_k, from the few episodes that hold the
-- query's rarer terms together. PL/pgSQL, so each statement's plan is made once per
-- session.
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
    in_query integer[];
    user_episodes bigint;
    user_length bigint;
    scoring bytea;
    bounds double precision[];
    threshold double precision;
    matching tsquery;
    seen tsquery;
    reading tsquery;
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
    SELECT array_agg(l.lexeme), array_agg(l.episodes), array_agg(coalesce(cardinality(q.positions), 1))
    INTO lexemes, with_term, in_query
    FROM pg_catalog.unnest(@extschema@.pgmem_search_terms(pgmem_episode_similarity_search.query)) q
    JOIN @extschema@.pgmem_episode_lexemes l ON l.user_id = uid AND l.lexeme = q.lexeme;
    IF lexemes IS NULL OR user_episodes IS NULL THEN
        RETURN;
    END IF;
    scoring := @extschema@.pgmem_bm25_query(lexemes, with_term, in_query, user_episodes, user_length);
    bounds := @extschema@.pgmem_bm25_bounds(scoring);
    threshold := (SELECT sum(b) FROM unnest(bounds) AS b) / 2;
    LOOP
        matching := @extschema@.pgmem_bm25_match(scoring, threshold, uid)::tsquery;
        -- Episodes scored in an earlier round are left out by the index itself.
        reading := CASE WHEN seen IS NULL THEN matching ELSE matching && !! seen END;
        SELECT array_agg(b.s), array_agg(b.id), array_agg(b.t) INTO scores, ids, times
        FROM (SELECT c.s, c.id, c.t
              FROM (SELECT x.s, x.id, x.t FROM unnest(scores, ids, times) AS x(s, id, t)
                    UNION ALL
                    SELECT @extschema@.pgmem_bm25_score(e.terms, scoring), e.episode_id, e.inserted_at
                    FROM (SELECT e.user_id, e.episode_id, e.inserted_at, e.terms
                          FROM @extschema@.pgmem_episodes e
                          WHERE @extschema@.pgmem_search_keys(e.user_id, e.terms) @@ reading
                          -- OFFSET 0 keeps the user_id test out of this scan: the keys
                          -- find only the user's episodes already, and a user_id index
                          -- ANDed in would read every one of them.
                          OFFSET 0) e
                    WHERE e.user_id = uid) c
              ORDER BY c.s DESC, c.t DESC, c.id DESC
              LIMIT k) b;
        seen := coalesce(seen || matching, matching, seen);
        IF cardinality(scores) = k THEN
            EXIT WHEN scores[k] >= threshold;
            threshold := scores[k];
        ELSE
            EXIT WHEN threshold <= bounds[cardinality(bounds)];
            threshold := threshold / 2;
        END IF;
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
    unchanged boolean;
BEGIN
    IF pgmem_episode_set_search_config.config IS NULL THEN
        RAISE EXCEPTION 'config must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- No episode is written with the old configuration while this runs.
    LOCK TABLE @extschema@.pgmem_episodes IN SHARE ROW EXCLUSIVE MODE;
    unchanged := @extschema@.pgmem_search_config() = pgmem_episode_set_search_config.config;
    -- A new configuration: the row's trigger indexes every episode again.
    INSERT INTO @extschema@.pgmem_search_config AS c (config)
    VALUES (pgmem_episode_set_search_config.config)
    ON CONFLICT ON CONSTRAINT pgmem_search_config_pkey DO UPDATE SET config = excluded.config;
    -- The same one: again all the same, for dictionaries that changed.
    IF unchanged THEN
        UPDATE @extschema@.pgmem_episodes e SET terms = NULL;
    END IF;
    RETURN (SELECT count(*) FROM @extschema@.pgmem_episodes);
END
$$;
