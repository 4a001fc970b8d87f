-- Checkpoints as a user sees them (README, "Checkpoints").

-- One checkpoint per turn; the snapshot argument is plain JSON text, a jsonb value or a
-- json value, with no cast needed.
SELECT pgmem_checkpoint_save('session-1', '{"turn": 1, "messages": ["hi"]}', 'turn-1', 'greeting');
SELECT pgmem_checkpoint_save('session-1', '{"turn": 2, "messages": ["hi", "hello"]}'::jsonb, 'turn-2',
                             metadata => '{"model": "gpt-4o"}', parent_id => 'turn-1');
SELECT pgmem_checkpoint_save('session-1', '{"turn": 3}'::json, 'turn-3',
                             metadata => '{"model": "gpt-4o", "final": true}', parent_id => 'turn-2');
SELECT pgmem_checkpoint_save('session-2', '{"turn": 1}', 'turn-1');

-- Saving under an existing id replaces that checkpoint (an upsert).
SELECT pgmem_checkpoint_save('session-2', '{"turn": 1, "retried": true}', 'turn-1', 'retry');
SELECT checkpoint_id, label, snapshot FROM pgmem_checkpoint_load('session-2');

-- A generated id is a UUIDv7: time-ordered text.
SELECT length(pgmem_checkpoint_save('session-3', '{}')) AS generated_id_length;

-- Load the latest, a named one, or nothing.
SELECT checkpoint_id, parent_id, label, metadata, snapshot FROM pgmem_checkpoint_load('session-1');
SELECT checkpoint_id, snapshot FROM pgmem_checkpoint_load('session-1', 'turn-1');
SELECT count(*) AS rows_for_unknown_session FROM pgmem_checkpoint_load('no-such-session');

-- List newest first, without bodies, with raw and stored sizes; page and filter.
SELECT checkpoint_id, parent_id, label, metadata, raw_bytes, stored_bytes
FROM pgmem_checkpoint_list('session-1');
SELECT checkpoint_id FROM pgmem_checkpoint_list('session-1', max_rows => 1, before_id => 'turn-3');
SELECT checkpoint_id FROM pgmem_checkpoint_list('session-1', metadata_filter => '{"final": true}');

-- The index serves "latest" and "newest first" without a sort; each step of a chain is
-- one primary-key probe. These are the plans of a table of real size: with statistics,
-- and without the sequential scans a table this small gets (without statistics the
-- planner cannot tell the primary key from the newest-first index for a probe).
ANALYZE pgmem_checkpoints;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM pgmem_checkpoint_load('session-1');
EXPLAIN (COSTS OFF) SELECT * FROM pgmem_checkpoint_list('session-1', 10);
EXPLAIN (COSTS OFF) SELECT * FROM pgmem_checkpoint_list('session-1', 10, 'turn-2');
RESET enable_seqscan;

-- Reads work in a read-only transaction; writes fail there with 25006.
BEGIN READ ONLY;
SELECT checkpoint_id FROM pgmem_checkpoint_load('session-1');
SELECT count(*) FROM pgmem_checkpoint_list('session-1');
SELECT pgmem_checkpoint_save('session-1', '{}');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;

-- Bad arguments: 22023 with a message naming the argument.
SELECT pgmem_checkpoint_save('', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_checkpoint_save(repeat('s', 256), '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_checkpoint_save('session-1', '{}', repeat('c', 65));
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_checkpoint_save('session-1', NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgmem_checkpoint_list('session-1', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgmem_checkpoint_list('session-1', 10001);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgmem_checkpoint_load('');
\echo :LAST_ERROR_SQLSTATE

-- Delete one, or a whole session; the count of rows deleted, 0 when none.
SELECT pgmem_checkpoint_delete('session-1', 'turn-1') AS deleted_one;
SELECT pgmem_checkpoint_delete('session-1', 'turn-1') AS deleted_again;
SELECT pgmem_checkpoint_delete('session-1') AS deleted_session;
SELECT session_id, count(*) FROM pgmem_checkpoints GROUP BY 1 ORDER BY 1;

-- The table: primary key led by the session, external frame storage, kept by pg_dump.
SELECT indexrelid::regclass AS index, indisprimary AS primary_key,
       pg_get_indexdef(indexrelid) AS definition
FROM pg_index WHERE indrelid = 'pgmem_checkpoints'::regclass ORDER BY indexrelid::regclass::text;
SELECT attname, attstorage FROM pg_attribute
WHERE attrelid = 'pgmem_checkpoints'::regclass AND attname = 'frame';
SELECT array(SELECT t::regclass::text FROM unnest(extconfig) AS t ORDER BY 1) AS dumped_tables
FROM pg_extension WHERE extname = 'pgmem';
SELECT obj_description('pgmem_checkpoints'::regclass, 'pg_class') IS NOT NULL AS table_documented;
