-- pgmem 0.6.0 -> 0.7.0:
-- - Ranked search reads only its user's posting lists: the GIN index's keys tag each
--   term with its user (pgmem_search_keys), and btree_gin is no longer needed.
-- - A pg_dump of a database with episodes restores as it was. The search statistics
--   are no longer dumped (restoring the episodes counts them again; restored counts
--   were counted twice, and the restore failed), and a restore of the search
--   configuration indexes the episodes again with it.
-- - pgmem_search_config() is PL/pgSQL, so its lookup is planned once per session, not
--   at every episode written.

-- What the index holds of an episode: its terms behind a tag of its user, so that
-- each posting list belongs to one user and a search reads none of the others'.
-- Its cost tells the planner to read the index rather than compute keys row by row.
CREATE FUNCTION pgmem_search_keys(user_id text, terms tsvector) RETURNS tsvector
    AS 'MODULE_PATHNAME', 'pgmem_search_keys_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE COST 1000;
DROP FUNCTION pgmem_bm25_match(bytea, double precision);
CREATE FUNCTION pgmem_bm25_match(query bytea, threshold double precision, user_id text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgmem_bm25_match_keys_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
DROP INDEX pgmem_episodes_terms;
-- A user's episodes holding a query's terms: the keys tag each term with its user,
-- so a search reads only that user's posting lists, however many users there are.
CREATE INDEX pgmem_episodes_keys ON pgmem_episodes USING gin (@extschema@.pgmem_search_keys(user_id, terms));

CREATE OR REPLACE FUNCTION pgmem_episode_similarity_search(user_id text, query text, top_k integer DEFAULT 10)
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

ALTER EXTENSION pgmem DROP TABLE pgmem_episode_users;
ALTER EXTENSION pgmem ADD TABLE pgmem_episode_users;
ALTER EXTENSION pgmem DROP TABLE pgmem_episode_lexemes;
ALTER EXTENSION pgmem ADD TABLE pgmem_episode_lexemes;

-- PL/pgSQL, whose plan of the lookup is kept for the session: every episode written
-- calls this (its terms), and a SQL function with a subquery is planned at each call.
CREATE OR REPLACE FUNCTION pgmem_search_config() RETURNS regconfig
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN coalesce((SELECT c.config FROM @extschema@.pgmem_search_config c),
                    'pg_catalog.english'::pg_catalog.regconfig);
END
$$;

-- A change of configuration, however written, indexes every episode again. A restore
-- writes this row after the episodes, which its COPY indexed with the default.
CREATE FUNCTION pgmem_search_config_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    before regconfig := 'pg_catalog.english';
    after regconfig := 'pg_catalog.english';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        before := OLD.config;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        after := NEW.config;
    END IF;
    IF before <> after THEN
        -- No episode is written with the old configuration meanwhile.
        LOCK TABLE @extschema@.pgmem_episodes IN SHARE ROW EXCLUSIVE MODE;
        UPDATE @extschema@.pgmem_episodes e SET terms = NULL;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER pgmem_search_config_changed AFTER INSERT OR UPDATE OR DELETE ON pgmem_search_config
    FOR EACH ROW EXECUTE FUNCTION pgmem_search_config_changed();

CREATE OR REPLACE FUNCTION pgmem_episode_set_search_config(config regconfig) RETURNS bigint
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

COMMENT ON TABLE pgmem_search_config IS
'The text search configuration episodes are indexed and searched with: one row, or none '
'for english. Set through pgmem_episode_set_search_config, which indexes every episode '
'again, as does any other change of its row (a restore''s too). Dumped by pg_dump with '
'the extension.';
COMMENT ON FUNCTION pgmem_search_config_changed() IS
'Trigger: a change of the configuration in pgmem_search_config indexes every episode '
'again. Errors: none.';
COMMENT ON TABLE pgmem_episode_users IS
'Per user: how many episodes, and their summed length, for BM25. Kept by triggers on '
'pgmem_episodes; rows of users without episodes are deleted. Not dumped: restoring '
'the episodes counts them again.';
COMMENT ON TABLE pgmem_episode_lexemes IS
'Per user and lexeme: how many of the user''s episodes hold it, for BM25''s idf. Kept by '
'triggers on pgmem_episodes; counts that reach zero are deleted, so forgetting a user '
'leaves none of their words. Not dumped: restoring the episodes counts them again.';
COMMENT ON FUNCTION pgmem_bm25_match(bytea, double precision, text) IS
'Internal: a tsquery, as text, over the index keys of user_id (pgmem_search_keys), that '
'every episode of that user scoring threshold or more for query matches: the least sets '
'of terms whose bounds add up to threshold, each a conjunction (beyond 64 sets, the terms '
'one of which such an episode must hold); NULL when no episode can. Errors: 22023 for a '
'query not made by pgmem_bm25_query.';
COMMENT ON FUNCTION pgmem_search_keys(text, tsvector) IS
'Internal: the index keys of an episode of user_id: each lexeme of terms behind a 5-byte '
'tag of the user (lexemes cut to fit 2046 bytes), without positions. Errors: 54000 when '
'the keys would exceed a tsvector''s 1 MiB.';
COMMENT ON INDEX pgmem_episodes_keys IS
'GIN on pgmem_search_keys(user_id, terms): a user''s episodes holding a query term, from '
'posting lists of that user only.';
