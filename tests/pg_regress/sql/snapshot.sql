-- pgmem_snapshot as a user sees it (README, "pgmem_snapshot").

-- JSON text in, JSON text out, key order kept, duplicate keys resolved as jsonb does.
SELECT '{"role": "user", "content": "Book a flight from JFK to SEA", "turn": 1}'::pgmem_snapshot;
SELECT '{"b": 1, "a": 2, "b": 3}'::pgmem_snapshot AS last_duplicate_wins;

-- Fidelity: d::pgmem_snapshot::jsonb = d::jsonb, numbers exact.
SELECT d, d::pgmem_snapshot AS snapshot, d::pgmem_snapshot::jsonb = d::jsonb AS equal
FROM (VALUES ('12345678901234567890123'), ('0.1000000000000000055511151231257827'),
             ('1E40'), ('-0'), ('1.0'), ('2.50e-3'), ('"\ud83d\ude00 caf\u00e9"'),
             ('[]'), ('{}'), ('""'), ('null'), ('true')) AS t(d);
SELECT (repeat('[', 1000) || repeat(']', 1000))::pgmem_snapshot::jsonb
     = (repeat('[', 1000) || repeat(']', 1000))::jsonb AS nested_1000_levels_equal;

-- Casts: implicit from jsonb and json, explicit back.
SELECT pgmem_snapshot_raw_size('{"a": [1, 2, 3]}'::jsonb) AS raw_size_of_a_jsonb_argument;
SELECT '{"b": 2, "a": 1}'::jsonb::pgmem_snapshot::json AS via_jsonb;
SELECT '{"b": 2, "a": 1}'::json::pgmem_snapshot::jsonb AS via_json;

-- Storage: external, so PostgreSQL never re-compresses the zstd bytes.
SELECT typname, typstorage, typlen FROM pg_type WHERE typname = 'pgmem_snapshot';

-- Sizes: the same document as jsonb, as CBOR and as stored.
CREATE TABLE turns AS
SELECT g AS turn,
       jsonb_build_object('role', 'assistant', 'turn', g,
                          'content', repeat('Flight HAT136 from JFK to SEA departs at 11:00. ', 20 * g)) AS doc
FROM generate_series(1, 3) AS g;
SELECT turn, pg_column_size(doc) AS jsonb_bytes,
       pgmem_snapshot_raw_size(doc) AS cbor_bytes,
       pgmem_snapshot_stored_size(doc) AS stored_bytes
FROM turns ORDER BY turn;

-- The binary form is the stored format of docs/FORMAT.md: "PGM", version 1, codec 1,
-- CBOR length, then a zstd frame.
SELECT pgmem_snapshot_send('{"turn": 1}') AS binary_form;

-- Bad text input: a clear error with its SQLSTATE, and nothing stored.
CREATE TABLE saved (s pgmem_snapshot);
INSERT INTO saved VALUES ('not json');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO saved VALUES ('{"turn": 1,
  "content": }');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO saved VALUES ('"\u0000"');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO saved VALUES ('1e131072');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO saved VALUES ((repeat('[', 100000) || repeat(']', 100000))::pgmem_snapshot);
\echo :LAST_ERROR_SQLSTATE
SET pgmem.max_snapshot_bytes = '1kB';
INSERT INTO saved VALUES (to_jsonb(repeat('x', 2000)));
\echo :LAST_ERROR_SQLSTATE
RESET pgmem.max_snapshot_bytes;
SET pgmem.compression_level = 20;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS stored_after_errors FROM saved;

-- Binary input (recv), here through binary COPY, whose bytea field is the raw bytes.
COPY (SELECT pgmem_snapshot_send('{"turn": 2, "ok": true}')) TO '/tmp/pgmem_regress_good.bin' (FORMAT binary);
COPY saved FROM '/tmp/pgmem_regress_good.bin' (FORMAT binary);
SELECT s FROM saved;
COPY (SELECT '\x50474d0101000000056e6f74207a737464'::bytea) TO '/tmp/pgmem_regress_bad.bin' (FORMAT binary);
COPY saved FROM '/tmp/pgmem_regress_bad.bin' (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
COPY (SELECT '\x50474d0201'::bytea) TO '/tmp/pgmem_regress_bad.bin' (FORMAT binary);
COPY saved FROM '/tmp/pgmem_regress_bad.bin' (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS stored_after_binary FROM saved;
