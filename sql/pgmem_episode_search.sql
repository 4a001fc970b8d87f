-- Ranked episode search (README, "Ranked search"): BM25 over the user's episodes.
--
-- The query's terms that the user's episodes hold are taken rarest first
-- (pgmem_bm25_terms). A first step reads, from the GIN index, the user's episodes
-- holding the rarest terms (until they could fill top_k), scores them on every query
-- term and keeps the best top_k. Episodes holding none of the terms read so far can
-- only score what the remaining terms add (their bounds): terms whose bound can no
-- longer reach the k-th best score are "non-essential", and a second step reads the
-- episodes of the other, essential terms only (MaxScore). The result is exactly
-- BM25's top_k, usually from the rarest terms' episodes alone. PL/pgSQL, so each
-- statement's plan is made once per session.
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
    quoted text[];
    rest double precision[];
    read_terms tsquery;
    done integer := 0;
    upto integer := 1;
    held bigint;
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
    SELECT array_agg(t.lexeme ORDER BY t.ord), array_agg(t.episodes ORDER BY t.ord),
           array_agg(t.rest_bound ORDER BY t.ord)
    INTO quoted, with_term, rest
    FROM @extschema@.pgmem_bm25_terms(lexemes, with_term, in_query, user_episodes, user_length)
         WITH ORDINALITY AS t(lexeme, episodes, rest_bound, ord);
    -- First the rarest terms, as many as it takes for top_k episodes (or all).
    held := with_term[1];
    WHILE upto < cardinality(quoted) AND held < k LOOP
        upto := upto + 1;
        held := held + with_term[upto];
    END LOOP;
    LOOP
        read_terms := array_to_string(quoted[done + 1:upto], ' | ')::tsquery;
        SELECT array_agg(b.s), array_agg(b.id), array_agg(b.t) INTO scores, ids, times
        FROM (SELECT c.s, c.id, c.t
              FROM (SELECT x.s, x.id, x.t FROM unnest(scores, ids, times) AS x(s, id, t)
                    UNION ALL
                    SELECT n.s, e.episode_id, e.inserted_at
                    FROM @extschema@.pgmem_episodes e,
                         LATERAL (SELECT @extschema@.pgmem_bm25_score(e.terms, scoring, done) AS s) n
                    WHERE e.user_id = uid AND e.terms @@ read_terms AND n.s IS NOT NULL) c
              ORDER BY c.s DESC, c.t DESC, c.id DESC
              LIMIT k) b;
        done := upto;
        -- The essential terms not read yet: up to the first whose rest bound is below
        -- the k-th score (the margin covers rounding scores to real).
        WHILE upto < cardinality(quoted)
              AND NOT (cardinality(scores) = k AND rest[upto] * 1.000001 < scores[k]) LOOP
            upto := upto + 1;
        END LOOP;
        EXIT WHEN upto = done;
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
