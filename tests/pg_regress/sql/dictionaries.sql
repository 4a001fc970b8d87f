-- Compression dictionaries as a user sees them (README, "Compression dictionaries").

-- Sessions of a flight-booking agent: each a different conversation in the same shape.
CREATE TABLE agent_sessions AS
SELECT s, jsonb_build_object(
           'session', s,
           'messages', (SELECT jsonb_agg(jsonb_build_object(
                   'role', CASE WHEN m % 2 = 1 THEN 'user' ELSE 'assistant' END,
                   'content', format('Turn %s: the reservation %s for flight HAT%s from %s '
                                     'to SEA on 2024-05-%s has %s passengers in economy.',
                                     m, upper(substr(md5(s::text || m), 1, 6)), 100 + (s * m) % 300,
                                     (ARRAY['JFK', 'ORD', 'ATL', 'DFW'])[1 + (s + m) % 4],
                                     10 + m, 1 + s % 3),
                   'tool_calls', CASE WHEN m % 2 = 0 THEN jsonb_build_array(jsonb_build_object(
                       'name', 'get_reservation_details',
                       'arguments', jsonb_build_object('reservation_id', md5(s::text)))) END))
               FROM generate_series(1, 4 + s % 9) AS m)) AS doc
FROM generate_series(1, 300) AS s;

-- Train from a sample of the sessions: nothing changes until the setting names it.
SELECT pgmem_dictionary_train(array_agg(doc::pgmem_snapshot), 16384) AS dictionary
FROM agent_sessions WHERE s % 3 <> 0 \gset
SELECT count(*) AS dictionaries, bool_and(id = :dictionary) AS the_one_trained,
       bool_and(octet_length(dictionary) <= 16384) AS within_max_bytes,
       bool_and(sample_count = 200) AS samples_counted
FROM pgmem_dictionaries;
SELECT pgmem_snapshot_dictionary(doc::pgmem_snapshot) AS without_the_setting
FROM agent_sessions WHERE s = 3;

-- With it, snapshots of sessions it never saw are smaller, and read back the same.
CREATE TABLE plain AS SELECT s, doc::pgmem_snapshot AS snap FROM agent_sessions WHERE s % 3 = 0;
SET pgmem.compression_dictionary = :dictionary;
CREATE TABLE compact AS SELECT s, doc::pgmem_snapshot AS snap FROM agent_sessions WHERE s % 3 = 0;
SELECT count(*) AS sessions,
       bool_and(pgmem_snapshot_dictionary(c.snap) = :dictionary) AS all_name_it,
       sum(pgmem_snapshot_stored_size(c.snap)) * 2 < sum(pgmem_snapshot_stored_size(p.snap))
           AS under_half_the_bytes,
       bool_and(c.snap::jsonb = a.doc AND c.snap::text::jsonb = a.doc) AS read_back_equal,
       bool_and(get_byte(pgmem_snapshot_send(c.snap), 4) = 1) AS sent_self_contained
FROM compact c JOIN plain p USING (s) JOIN agent_sessions a USING (s);

-- Checkpoint keyframes too (codec 3); a delta (codec 2) is as it was.
SELECT pgmem_checkpoint_save('booking', doc, 'turn-' || s) IS NOT NULL AS saved
FROM agent_sessions WHERE s IN (3, 6);
SELECT checkpoint_id, get_byte(frame, 4) AS codec FROM pgmem_checkpoints
WHERE session_id = 'booking' ORDER BY saved_at;
SELECT l.checkpoint_id, l.snapshot::jsonb = a.doc AS loaded_equal
FROM agent_sessions a CROSS JOIN LATERAL pgmem_checkpoint_load('booking', 'turn-' || a.s) l
WHERE a.s IN (3, 6) ORDER BY 1;

-- Training the same samples again returns the dictionary kept.
SELECT pgmem_dictionary_train(array_agg(doc::pgmem_snapshot), 16384) = :dictionary AS same_id,
       (SELECT count(*) FROM pgmem_dictionaries) AS dictionaries
FROM agent_sessions WHERE s % 3 <> 0;

-- A role without INSERT on pgmem_dictionaries cannot train one, but reads snapshots
-- compressed with one.
CREATE ROLE pgmem_regress_trainee;
GRANT SELECT ON compact TO pgmem_regress_trainee;
SET ROLE pgmem_regress_trainee;
SELECT count(*) AS read_back, bool_and(snap::jsonb ? 'messages') AS whole FROM compact;
\set VERBOSITY sqlstate
SELECT pgmem_dictionary_train(array_agg(snap), 16384) FROM compact;
\set VERBOSITY default
RESET ROLE;
REVOKE ALL ON compact FROM pgmem_regress_trainee;
DROP ROLE pgmem_regress_trainee;

-- Errors, and nothing stored by them.
\set VERBOSITY sqlstate
SELECT pgmem_dictionary_train(array_agg(doc::pgmem_snapshot), 512) FROM agent_sessions;
SELECT pgmem_dictionary_train(NULL);
SELECT pgmem_dictionary_train(ARRAY['[1]'::pgmem_snapshot]);
UPDATE pgmem_dictionaries SET sample_count = 0;
DELETE FROM pgmem_dictionaries;
TRUNCATE pgmem_dictionaries;
SET pgmem.compression_dictionary = 12345;
INSERT INTO compact VALUES (0, '{"a": 1}');
\set VERBOSITY default
SELECT '{"a": 1}'::pgmem_snapshot;
RESET pgmem.compression_dictionary;
SELECT count(*) AS dictionaries FROM pgmem_dictionaries;
SELECT count(*) AS compact_rows FROM compact;
DROP TABLE agent_sessions, plain, compact;
SELECT pgmem_checkpoint_delete('booking') >= 0 AS cleaned;
