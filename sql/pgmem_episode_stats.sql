-- What BM25 needs to know of a user's episodes, kept exact as episodes change: how
-- many there are and their summed length, and for each lexeme how many hold it.
-- Statement triggers maintain both from the rows a statement inserted, updated or
-- deleted, whoever runs it, so the counts stay right for direct DML too. Stats rows
-- are written last in every statement, in (user_id, lexeme) order, so writers of one
-- user queue on them instead of deadlocking. A count that reaches zero is deleted:
-- forgetting a user leaves none of their words behind.

CREATE TABLE pgmem_episode_users (
    user_id  text NOT NULL,
    episodes bigint NOT NULL,
    length   bigint NOT NULL,
    CONSTRAINT pgmem_episode_users_pkey PRIMARY KEY (user_id)
) WITH (fillfactor = 70);
CREATE TABLE pgmem_episode_lexemes (
    user_id  text NOT NULL,
    lexeme   text NOT NULL,
    episodes bigint NOT NULL,
    CONSTRAINT pgmem_episode_lexemes_pkey PRIMARY KEY (user_id, lexeme)
) WITH (fillfactor = 70);
-- Not dumped by pg_dump: restoring the episodes counts them again (the triggers below
-- fire on a restore's COPY), and restored counts would be counted twice.

-- Adds signed counts; rows that reach zero go.
CREATE FUNCTION pgmem_episode_count(users text[], lexemes text[], episodes bigint[], lengths bigint[])
RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO @extschema@.pgmem_episode_lexemes AS x (user_id, lexeme, episodes)
    SELECT d.du, d.dl, d.dn
    FROM unnest(pgmem_episode_count.users, pgmem_episode_count.lexemes,
                pgmem_episode_count.episodes) AS d(du, dl, dn)
    WHERE d.dl IS NOT NULL
    ORDER BY d.du, d.dl
    ON CONFLICT ON CONSTRAINT pgmem_episode_lexemes_pkey
        DO UPDATE SET episodes = x.episodes + excluded.episodes;
    DELETE FROM @extschema@.pgmem_episode_lexemes x
    USING unnest(pgmem_episode_count.users, pgmem_episode_count.lexemes,
                 pgmem_episode_count.episodes) AS d(du, dl, dn)
    WHERE d.dn < 0 AND x.user_id = d.du AND x.lexeme = d.dl AND x.episodes <= 0;
    INSERT INTO @extschema@.pgmem_episode_users AS x (user_id, episodes, length)
    SELECT d.du, d.dn, d.dlen
    FROM unnest(pgmem_episode_count.users, pgmem_episode_count.lexemes,
                pgmem_episode_count.episodes, pgmem_episode_count.lengths) AS d(du, dl, dn, dlen)
    WHERE d.dl IS NULL
    ORDER BY d.du
    ON CONFLICT ON CONSTRAINT pgmem_episode_users_pkey
        DO UPDATE SET episodes = x.episodes + excluded.episodes, length = x.length + excluded.length;
    DELETE FROM @extschema@.pgmem_episode_users x
    USING unnest(pgmem_episode_count.users, pgmem_episode_count.lexemes,
                 pgmem_episode_count.episodes) AS d(du, dl, dn)
    WHERE d.dl IS NULL AND d.dn < 0 AND x.user_id = d.du AND x.episodes <= 0;
END
$$;

-- The statement's changes as signed counts: +1 for a new row's terms, -1 for an old
-- row's, per (user_id, lexeme) and per user (lexeme NULL, with the length).
CREATE FUNCTION pgmem_episodes_count() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT user_id, terms, 1 AS sign FROM pgmem_new'
        WHEN 'DELETE' THEN 'SELECT user_id, terms, -1 AS sign FROM pgmem_old'
        ELSE 'SELECT user_id, terms, 1 AS sign FROM pgmem_new
              UNION ALL SELECT user_id, terms, -1 FROM pgmem_old' END;
    users text[];
    lexemes text[];
    episodes bigint[];
    lengths bigint[];
BEGIN
    EXECUTE format($sql$
        SELECT array_agg(d.user_id), array_agg(d.lexeme), array_agg(d.n), array_agg(d.len)
        FROM (SELECT c.user_id, t.lexeme, sum(c.sign) AS n, NULL::bigint AS len
              FROM (%1$s) c, unnest(c.terms) t
              GROUP BY c.user_id, t.lexeme HAVING sum(c.sign) <> 0
              UNION ALL
              SELECT c.user_id, NULL, sum(c.sign), sum(c.sign * c.len)
              FROM (SELECT r.user_id, r.sign, @extschema@.pgmem_search_length(r.terms) AS len
                    FROM (%1$s) r) c
              GROUP BY c.user_id HAVING sum(c.sign) <> 0 OR sum(c.sign * c.len) <> 0) d
        $sql$, changed) INTO users, lexemes, episodes, lengths;
    IF users IS NOT NULL THEN
        PERFORM @extschema@.pgmem_episode_count(users, lexemes, episodes, lengths);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER pgmem_episodes_count_insert AFTER INSERT ON pgmem_episodes
    REFERENCING NEW TABLE AS pgmem_new FOR EACH STATEMENT EXECUTE FUNCTION pgmem_episodes_count();
CREATE TRIGGER pgmem_episodes_count_update AFTER UPDATE ON pgmem_episodes
    REFERENCING OLD TABLE AS pgmem_old NEW TABLE AS pgmem_new
    FOR EACH STATEMENT EXECUTE FUNCTION pgmem_episodes_count();
CREATE TRIGGER pgmem_episodes_count_delete AFTER DELETE ON pgmem_episodes
    REFERENCING OLD TABLE AS pgmem_old FOR EACH STATEMENT EXECUTE FUNCTION pgmem_episodes_count();

CREATE FUNCTION pgmem_episodes_count_truncate() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    TRUNCATE @extschema@.pgmem_episode_users, @extschema@.pgmem_episode_lexemes;
    RETURN NULL;
END
$$;
CREATE TRIGGER pgmem_episodes_count_truncate AFTER TRUNCATE ON pgmem_episodes
    FOR EACH STATEMENT EXECUTE FUNCTION pgmem_episodes_count_truncate();
