-- The grants README.md gives an application role, and what they allow. The functions
-- are SECURITY INVOKER: the caller's own table privileges decide.
\set SHOW_CONTEXT never
CREATE ROLE pgmem_regress_app;
CREATE ROLE pgmem_regress_reader;
CREATE ROLE pgmem_regress_nobody;
GRANT USAGE ON SCHEMA public TO pgmem_regress_app, pgmem_regress_reader, pgmem_regress_nobody;
GRANT SELECT, INSERT, UPDATE, DELETE ON pgmem_checkpoints, pgmem_checkpoint_writes, pgmem_episodes,
    pgmem_episode_users, pgmem_episode_lexemes TO pgmem_regress_app;
GRANT SELECT ON pgmem_checkpoints, pgmem_checkpoint_writes, pgmem_episodes, pgmem_episode_users,
    pgmem_episode_lexemes TO pgmem_regress_reader;

-- The application role: every function works, upserts included.
SET ROLE pgmem_regress_app;
SELECT pgmem_checkpoint_save('grants', '{"turn": 1}', 'c-1');
SELECT pgmem_checkpoint_save('grants', '{"turn": 2}', 'c-1');
SELECT checkpoint_id, snapshot FROM pgmem_checkpoint_load('grants');
SELECT count(*) FROM pgmem_checkpoint_list('grants');
SELECT pgmem_checkpoint_put_writes('grants', 'c-1', 'task', ARRAY['__error__'], ARRAY['json'],
                                   ARRAY['"first"'], idx => ARRAY[-1]);
SELECT pgmem_checkpoint_put_writes('grants', 'c-1', 'task', ARRAY['__error__'], ARRAY['json'],
                                   ARRAY['"second"'], idx => ARRAY[-1]);
SELECT checkpoint_id, write_channels, write_values FROM pgmem_checkpoint_read('grants');
SELECT pgmem_checkpoint_copy('grants', 'grants-copy');
SELECT pgmem_checkpoint_delete_by_metadata(ARRAY['{"no": "match"}']::jsonb[]);
SELECT pgmem_episode_store('grants-user', 'Book a flight to SEA', '{}', 'e-1');
SELECT pgmem_episode_store('grants-user', 'Book a flight to JFK', '{}', 'e-1');
SELECT episode_id, content FROM pgmem_episode_search('grants-user', 'flight');
-- Safety caps only a superuser may change: the application cannot lift them, and the
-- per-user cap a superuser sets (here for the session; usually ALTER ROLE ... SET)
-- applies to its stores.
SET pgmem.max_episodes_per_user = 0;
SET pgmem.max_snapshot_bytes = '1GB';
RESET ROLE;
SET pgmem.max_episodes_per_user = 1;
SET ROLE pgmem_regress_app;
SELECT pgmem_episode_store('grants-user', 'Rent a car', '{}', 'e-2');
SELECT episode_id FROM pgmem_episode_list('grants-user');
RESET ROLE;
RESET pgmem.max_episodes_per_user;

-- The read-only role reads; every write is refused and stores nothing.
SET ROLE pgmem_regress_reader;
SELECT checkpoint_id, snapshot FROM pgmem_checkpoint_load('grants', 'c-1');
SELECT checkpoint_id, write_values FROM pgmem_checkpoint_read('grants');
SELECT episode_id FROM pgmem_episode_similarity_search('grants-user', 'rent a car');
SELECT pgmem_checkpoint_save('grants', '{"turn": 3}', 'c-2');
SELECT pgmem_checkpoint_delete('grants');
SELECT pgmem_checkpoint_put_writes('grants', 'c-1', 'task', ARRAY['x'], ARRAY['json'], ARRAY['1']);
SELECT pgmem_checkpoint_copy('grants', 'grants-copy-2');
SELECT pgmem_episode_forget('grants-user');
RESET ROLE;
SELECT count(*) AS checkpoints, (SELECT count(*) FROM pgmem_episodes WHERE user_id = 'grants-user') AS episodes,
       (SELECT count(*) FROM pgmem_checkpoint_writes WHERE session_id LIKE 'grants%') AS writes
FROM pgmem_checkpoints WHERE session_id LIKE 'grants%';

-- Without grants on the tables, nothing is readable.
SET ROLE pgmem_regress_nobody;
SELECT * FROM pgmem_checkpoint_load('grants');
SELECT * FROM pgmem_checkpoint_read('grants');
SELECT * FROM pgmem_episode_search('grants-user', 'car');
RESET ROLE;

SET ROLE pgmem_regress_app;
SELECT pgmem_checkpoint_delete('grants'), pgmem_checkpoint_delete('grants-copy'),
       pgmem_episode_forget('grants-user');
RESET ROLE;
DROP OWNED BY pgmem_regress_app, pgmem_regress_reader, pgmem_regress_nobody;
DROP ROLE pgmem_regress_app, pgmem_regress_reader, pgmem_regress_nobody;
