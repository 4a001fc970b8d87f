-- Tenant isolation by the database, and the grants an application role needs.
\set SHOW_CONTEXT never
CREATE ROLE pgmem_vector_app;
GRANT USAGE ON SCHEMA public TO pgmem_vector_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON pgmem_episodes, pgmem_episode_users,
    pgmem_episode_lexemes, pgmem_episode_embeddings TO pgmem_vector_app;
SELECT pgmem_episode_store_embedded('fay', 'Fay''s trip to Oslo', '[1,0]', episode_id => 'oslo');
SELECT pgmem_episode_store_embedded('gus', 'Gus''s trip to Rome', '[1,0]', episode_id => 'rome');

SELECT pgmem_row_security(true), pgmem_vector_row_security(true);
SET ROLE pgmem_vector_app;
BEGIN;
SELECT set_config('pgmem.user_id', 'fay', true);
SELECT user_id, episode_id FROM pgmem_episode_embeddings ORDER BY 1;
SELECT episode_id FROM pgmem_episode_vector_search('fay', '[1,0]');
SELECT count(*) AS others FROM pgmem_episode_vector_search('gus', '[1,0]');
SELECT pgmem_episode_store_embedded('fay', 'Fay again', '[0,1]', episode_id => 'again');
UPDATE pgmem_episode_embeddings SET user_id = 'gus';
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
RESET ROLE;
SELECT pgmem_row_security(false), pgmem_vector_row_security(false);
SELECT pgmem_vector_row_security(NULL);
\echo :LAST_ERROR_SQLSTATE

-- Without the grant on the embeddings, storing one fails and stores nothing.
REVOKE ALL ON pgmem_episode_embeddings FROM pgmem_vector_app;
SET ROLE pgmem_vector_app;
SELECT pgmem_episode_store_embedded('fay', 'Denied', '[1,0]', episode_id => 'denied');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT count(*) AS denied_stored FROM pgmem_episodes WHERE episode_id = 'denied';
REVOKE ALL ON pgmem_episodes, pgmem_episode_users, pgmem_episode_lexemes FROM pgmem_vector_app;
REVOKE ALL ON SCHEMA public FROM pgmem_vector_app;
DROP ROLE pgmem_vector_app;

-- The extension needs pgmem's schema, and leaves pgmem as it was when dropped.
CREATE SCHEMA elsewhere;
DROP EXTENSION pgmem_vector;
CREATE EXTENSION pgmem_vector SCHEMA elsewhere;
\echo :LAST_ERROR_SQLSTATE
SELECT tgname FROM pg_trigger WHERE tgrelid = 'pgmem_episodes'::regclass AND NOT tgisinternal ORDER BY 1;
CREATE EXTENSION pgmem_vector;
DROP SCHEMA elsewhere;
