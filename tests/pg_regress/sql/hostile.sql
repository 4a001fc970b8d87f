-- Hostile input and hostile callers (README, "Limits" and "Row-level security").

-- Whatever pgmem accepts it gives back: a zero is stored as a zero whatever its
-- exponent, an exponent jsonb refuses is refused, and nothing is stored on error.
CREATE TABLE kept (id int, s pgmem_snapshot);
INSERT INTO kept VALUES (1, '[0e2000000000]');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO kept VALUES (2, '{"a": 0e1073741820, "b": -0e-3, "c": 0.00, "d": 1e-3}');
SELECT id, s, s::jsonb = '{"a": 0e1073741820, "b": -0e-3, "c": 0.00, "d": 1e-3}'::jsonb AS equal_to_jsonb
FROM kept;

-- A number's mantissa has at most 1000 digits (the precision a numeric column can
-- declare); an integer's trailing zeros do not count.
SELECT ('[' || repeat('9', 1001) || ']')::pgmem_snapshot;
SELECT length(('[' || repeat('9', 1000) || ']')::pgmem_snapshot::text) AS thousand_digits;
SELECT length(('[1' || repeat('0', 5000) || ']')::pgmem_snapshot::text) AS one_and_5000_zeros;

-- The JSON text of a value is at most 8 bytes per byte of its CBOR plus 1 MiB.
SELECT ('[' || repeat('1e131071,', 8) || '1e131071]')::pgmem_snapshot;
SELECT length(s::text) AS text_bytes, pgmem_snapshot_raw_size(s) AS cbor_bytes
FROM (SELECT ('[' || repeat('1e131071,', 7) || '1e131071]')::pgmem_snapshot) AS t(s);

-- The per-user cap is the superuser's setting: a caller cannot lift it.
CREATE ROLE pgmem_regress_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON pgmem_episodes, pgmem_checkpoints, pgmem_checkpoint_writes,
    pgmem_episode_users, pgmem_episode_lexemes TO pgmem_regress_app;
SET ROLE pgmem_regress_app;
SET pgmem.max_episodes_per_user = 0;
RESET ROLE;

-- Row-level security, opt-in: each transaction names its tenant and session.
SELECT pgmem_episode_store('bob', 'Bob flies to Oslo on Friday', '{}', 'b1');
SELECT pgmem_checkpoint_save('session-bob', '{"turn": 1}', 'c1'),
       pgmem_checkpoint_put_writes('session-bob', 'c1', 'task', ARRAY['messages'], ARRAY['json'],
                                   ARRAY['"bob''s"']);
SELECT pgmem_row_security(true);
SET ROLE pgmem_regress_app;
BEGIN;
SELECT set_config('pgmem.user_id', 'alice', true), set_config('pgmem.session_id', 'session-alice', true);
SELECT pgmem_episode_store('alice', 'Alice books a hotel in Lisbon', '{}', 'a1');
SELECT episode_id, content FROM pgmem_episode_list('bob');
SELECT pgmem_episode_delete('bob', 'b1') AS deleted_bobs;
SELECT pgmem_episode_store('bob', 'forged by alice');
ROLLBACK;
BEGIN;
SELECT set_config('pgmem.user_id', 'alice', true), set_config('pgmem.session_id', 'session-alice', true);
SELECT count(*) AS bobs_checkpoints FROM pgmem_checkpoint_load('session-bob');
SELECT pgmem_checkpoint_save('session-bob', '{"forged": true}');
ROLLBACK;
-- Pending writes likewise: another session's are invisible (a copy of that session
-- copies nothing) and cannot be written; the transaction's own session works.
BEGIN;
SELECT set_config('pgmem.session_id', 'session-alice', true);
SELECT count(*) AS visible_writes FROM pgmem_checkpoint_writes;
SELECT count(*) AS bobs_read FROM pgmem_checkpoint_read('session-bob', NULL, max_rows => 10);
SELECT pgmem_checkpoint_copy('session-bob', 'session-alice') AS copied_from_bob;
SELECT pgmem_checkpoint_put_writes('session-alice', 'a1', 'task', ARRAY['messages'], ARRAY['json'],
                                   ARRAY['"alice''s"']) AS written_by_alice;
\set VERBOSITY sqlstate
SELECT pgmem_checkpoint_put_writes('session-bob', 'c1', 'task', ARRAY['forged'], ARRAY['json'],
                                   ARRAY['true'], idx => ARRAY[-1]);
\set VERBOSITY default
ROLLBACK;
-- Without the settings, nothing is visible.
SELECT count(*) AS visible_without_settings FROM pgmem_episodes;
SELECT pgmem_row_security(false);
RESET ROLE;
SELECT pgmem_row_security(false);
SELECT user_id, episode_id FROM pgmem_episodes WHERE user_id = 'bob';
SELECT session_id, channel, value FROM pgmem_checkpoint_writes WHERE session_id IN ('session-bob', 'session-alice');
DROP OWNED BY pgmem_regress_app;
DROP ROLE pgmem_regress_app;
SELECT pgmem_episode_forget('bob'), pgmem_checkpoint_delete('session-bob');
DROP TABLE kept;
