-- Full-text search of episodes (README, "Ranked search"): the text search
-- configuration, the terms an episode or a query is indexed by, and BM25 over them
-- (the functions' bodies are in the library).

-- The configuration episodes are indexed and queried with: one row, or none for
-- `english`. Set it with pgmem_episode_set_search_config, which re-indexes every
-- episode, so what is stored and what a query looks for always agree.
CREATE TABLE pgmem_search_config (
    singleton boolean NOT NULL DEFAULT true CHECK (singleton),
    config    regconfig NOT NULL,
    CONSTRAINT pgmem_search_config_pkey PRIMARY KEY (singleton)
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pgmem_search_config', '');
-- Every role that indexes or searches episodes reads it; it holds nothing private.
GRANT SELECT ON pgmem_search_config TO PUBLIC;

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

-- PL/pgSQL, whose plan of the lookup is kept for the session: every episode written
-- calls this (its terms), and a SQL function with a subquery is planned at each call.
CREATE FUNCTION pgmem_search_config() RETURNS regconfig
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN coalesce((SELECT c.config FROM @extschema@.pgmem_search_config c),
                    'pg_catalog.english'::pg_catalog.regconfig);
END
$$;

CREATE FUNCTION pgmem_search_text(text text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgmem_search_text_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;

-- What an episode's content or a query is indexed or looked up by.
CREATE FUNCTION pgmem_search_terms(text text) RETURNS tsvector
LANGUAGE sql STABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.to_tsvector(@extschema@.pgmem_search_config(),
                                  @extschema@.pgmem_search_text(pgmem_search_terms.text));
END;

-- What the index holds of an episode: its terms behind a tag of its user, so that
-- each posting list belongs to one user and a search reads none of the others'.
-- Its cost tells the planner to read the index rather than compute keys row by row.
CREATE FUNCTION pgmem_search_keys(user_id text, terms tsvector) RETURNS tsvector
    AS 'MODULE_PATHNAME', 'pgmem_search_keys_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE COST 1000;
CREATE FUNCTION pgmem_search_length(terms tsvector) RETURNS bigint
    AS 'MODULE_PATHNAME', 'pgmem_search_length_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_bm25_query(lexemes text[], episodes_with_term bigint[], in_query integer[],
                                 episodes bigint, length bigint)
RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgmem_bm25_query_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_bm25_bounds(query bytea) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'pgmem_bm25_bounds_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_bm25_match(query bytea, threshold double precision, user_id text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgmem_bm25_match_keys_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_bm25_score(terms tsvector, query bytea) RETURNS real
    AS 'MODULE_PATHNAME', 'pgmem_bm25_score_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
