-- pgmem 0.6.0 -> 0.7.0: a pg_dump of a database with episodes restores as it was.
-- The search statistics are no longer dumped (restoring the episodes counts them
-- again; restored counts were counted twice, and the restore failed), and a restore of
-- the search configuration indexes the episodes again with it.

ALTER EXTENSION pgmem DROP TABLE pgmem_episode_users;
ALTER EXTENSION pgmem ADD TABLE pgmem_episode_users;
ALTER EXTENSION pgmem DROP TABLE pgmem_episode_lexemes;
ALTER EXTENSION pgmem ADD TABLE pgmem_episode_lexemes;

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
