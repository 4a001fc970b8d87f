-- Tenant isolation the database enforces, opt-in (README, "Row-level security").
-- pgmem_row_security(true) enables row-level security on the tables with one policy
-- each: episodes and their search statistics are visible and writable only where
-- user_id = pgmem.user_id, and checkpoints and their pending writes only where
-- session_id = pgmem.session_id, settings the application sets transaction-locally
-- (set_config(..., true)), so isolation works behind transaction pooling. The table owner and superusers are not subject to it; nor is anyone while
-- it is off (the default), which costs nothing. pg_dump keeps neither the policies
-- nor the enabled state of an extension's tables: run it again after a restore. The
-- sub-selects are evaluated once per statement.
CREATE FUNCTION pgmem_row_security(enabled boolean) RETURNS boolean
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
-- DROP POLICY IF EXISTS would say so when there is none; that is expected here.
SET client_min_messages = warning
AS $$
BEGIN
    IF pgmem_row_security.enabled IS NULL THEN
        RAISE EXCEPTION 'enabled must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    DROP POLICY IF EXISTS pgmem_episodes_tenant ON @extschema@.pgmem_episodes;
    DROP POLICY IF EXISTS pgmem_checkpoints_session ON @extschema@.pgmem_checkpoints;
    DROP POLICY IF EXISTS pgmem_checkpoint_writes_session ON @extschema@.pgmem_checkpoint_writes;
    DROP POLICY IF EXISTS pgmem_episode_users_tenant ON @extschema@.pgmem_episode_users;
    DROP POLICY IF EXISTS pgmem_episode_lexemes_tenant ON @extschema@.pgmem_episode_lexemes;
    IF NOT pgmem_row_security.enabled THEN
        ALTER TABLE @extschema@.pgmem_episodes DISABLE ROW LEVEL SECURITY;
        ALTER TABLE @extschema@.pgmem_checkpoints DISABLE ROW LEVEL SECURITY;
        ALTER TABLE @extschema@.pgmem_checkpoint_writes DISABLE ROW LEVEL SECURITY;
        ALTER TABLE @extschema@.pgmem_episode_users DISABLE ROW LEVEL SECURITY;
        ALTER TABLE @extschema@.pgmem_episode_lexemes DISABLE ROW LEVEL SECURITY;
        RETURN false;
    END IF;
    CREATE POLICY pgmem_episodes_tenant ON @extschema@.pgmem_episodes
        USING (user_id = (SELECT current_setting('pgmem.user_id', true)))
        WITH CHECK (user_id = (SELECT current_setting('pgmem.user_id', true)));
    CREATE POLICY pgmem_checkpoints_session ON @extschema@.pgmem_checkpoints
        USING (session_id = (SELECT current_setting('pgmem.session_id', true)))
        WITH CHECK (session_id = (SELECT current_setting('pgmem.session_id', true)));
    CREATE POLICY pgmem_checkpoint_writes_session ON @extschema@.pgmem_checkpoint_writes
        USING (session_id = (SELECT current_setting('pgmem.session_id', true)))
        WITH CHECK (session_id = (SELECT current_setting('pgmem.session_id', true)));
    -- The search statistics hold a user's words: the same isolation as their episodes.
    CREATE POLICY pgmem_episode_users_tenant ON @extschema@.pgmem_episode_users
        USING (user_id = (SELECT current_setting('pgmem.user_id', true)))
        WITH CHECK (user_id = (SELECT current_setting('pgmem.user_id', true)));
    CREATE POLICY pgmem_episode_lexemes_tenant ON @extschema@.pgmem_episode_lexemes
        USING (user_id = (SELECT current_setting('pgmem.user_id', true)))
        WITH CHECK (user_id = (SELECT current_setting('pgmem.user_id', true)));
    ALTER TABLE @extschema@.pgmem_episodes ENABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.pgmem_episode_users ENABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.pgmem_episode_lexemes ENABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.pgmem_checkpoints ENABLE ROW LEVEL SECURITY;
    ALTER TABLE @extschema@.pgmem_checkpoint_writes ENABLE ROW LEVEL SECURITY;
    RETURN true;
END
$$;
