-- Delta checkpoints, retention and storage statistics (README, "How checkpoints are
-- stored", "Retention").

-- An agent's session grows by a message a turn: each checkpoint after the first is a
-- delta against the one before, and a keyframe starts every
-- pgmem.checkpoint_keyframe_interval checkpoints.
SET pgmem.checkpoint_keyframe_interval = 4;
SELECT count(pgmem_checkpoint_save('agent',
           json_build_object('messages', (SELECT json_agg(json_build_object(
               'role', CASE WHEN m % 2 = 0 THEN 'assistant' ELSE 'user' END,
               'content', 'message ' || m || ': ' || repeat('the flight to Seattle ', 8)))
           FROM generate_series(1, t) AS m))::text::pgmem_snapshot,
           'turn-' || lpad(t::text, 2, '0')))
FROM generate_series(1, 10) AS t;
RESET pgmem.checkpoint_keyframe_interval;
SELECT checkpoint_id, base_id, base_id IS NULL AS keyframe,
       get_byte(frame, 4) AS codec, octet_length(frame) < pgmem_frame_raw_size(frame) / 4 AS small
FROM pgmem_checkpoints WHERE session_id = 'agent' ORDER BY checkpoint_id;

-- Reads return complete snapshots (codec 1), whatever the row stores.
SELECT checkpoint_id, get_byte(pgmem_snapshot_send(snapshot), 4) AS codec,
       left(snapshot::jsonb -> 'messages' -> -1 ->> 'content', 20) AS last_message,
       jsonb_array_length(snapshot::jsonb -> 'messages') AS messages
FROM pgmem_checkpoint_load('agent');
SELECT li.checkpoint_id, li.raw_bytes = pgmem_snapshot_raw_size(l.snapshot) AS raw_is_whole_document,
       li.stored_bytes = octet_length(c.frame) AS stored_is_the_row
FROM pgmem_checkpoint_list('agent', 3) li
JOIN pgmem_checkpoint_load('agent', li.checkpoint_id) l ON true
JOIN pgmem_checkpoints c ON c.session_id = 'agent' AND c.checkpoint_id = li.checkpoint_id;
SELECT sessions, checkpoints, keyframes, raw_bytes > stored_bytes AS smaller,
       stored_ratio < 0.5 AS ratio_below_half
FROM pgmem_checkpoint_stats('agent');

-- Branches: two children of one checkpoint name it as their base.
SELECT pgmem_checkpoint_save('agent', (l.snapshot::jsonb || '{"branch": "left"}')::pgmem_snapshot,
                             'left', parent_id => 'turn-05'),
       pgmem_checkpoint_save('agent', (l.snapshot::jsonb || '{"branch": "right"}')::pgmem_snapshot,
                             'right', parent_id => 'turn-05')
FROM pgmem_checkpoint_load('agent', 'turn-05') l;
SELECT checkpoint_id, parent_id, base_id FROM pgmem_checkpoints
WHERE checkpoint_id IN ('left', 'right') ORDER BY 1;

-- Deleting a keyframe others are stored against re-encodes them first: all still load.
SELECT pgmem_checkpoint_delete('agent', 'turn-05') AS deleted;
SELECT checkpoint_id, base_id FROM pgmem_checkpoints
WHERE session_id = 'agent' AND checkpoint_id IN ('turn-06', 'left', 'right') ORDER BY 1;
SELECT count(*) AS loadable FROM pgmem_checkpoints c, pgmem_checkpoint_load(c.session_id, c.checkpoint_id) l
WHERE c.session_id = 'agent' AND jsonb_array_length(l.snapshot::jsonb -> 'messages') > 0;

-- Retention: keep the newest 3 of a session; expire what is older than a day (none here).
SELECT pgmem_checkpoint_prune(ARRAY['agent'], 3) AS pruned;
SELECT checkpoint_id FROM pgmem_checkpoint_list('agent');
SELECT pgmem_checkpoint_expire('1 day') AS expired, pgmem_episode_expire('1 day') AS episodes_expired;
SELECT pgmem_checkpoint_expire('0', keep_latest => true) AS expired_but_the_latest;
SELECT checkpoint_id FROM pgmem_checkpoint_list('agent');

-- Bad arguments: 22023 naming the argument, nothing deleted.
\set VERBOSITY sqlstate
SELECT pgmem_checkpoint_prune(NULL, -1);
SELECT pgmem_checkpoint_prune(keep => NULL);
SELECT pgmem_checkpoint_expire(NULL);
SELECT pgmem_checkpoint_expire('-1 hour');
SELECT pgmem_checkpoint_expire('1 hour', keep_latest => NULL);
SELECT pgmem_checkpoint_expire('1 hour', max_rows => 0);
SELECT pgmem_episode_expire('1 hour', max_rows => 10001);
SET pgmem.checkpoint_keyframe_interval = 0;
\set VERBOSITY default
SELECT pgmem_checkpoint_prune(NULL, -1);
SELECT pgmem_checkpoint_expire('-1 hour');
SELECT count(*) AS still_there FROM pgmem_checkpoints WHERE session_id = 'agent';

-- A damaged frame: XX001 naming the checkpoint and the frame at fault.
SELECT pgmem_checkpoint_save('damaged', '{"messages": ["one", "two", "three", "four"]}', 'a'),
       pgmem_checkpoint_save('damaged', '{"messages": ["one", "two", "three", "four", "five"]}', 'b');
UPDATE pgmem_checkpoints SET frame = set_byte(frame, octet_length(frame) - 2, get_byte(frame, octet_length(frame) - 2) # 1)
WHERE session_id = 'damaged' AND checkpoint_id = 'a';
-- Read by a new backend: the one that saved 'b' keeps its document and reads it from there.
\c
\set VERBOSITY terse
SELECT snapshot FROM pgmem_checkpoint_load('damaged', 'b');
\set VERBOSITY default
SELECT pgmem_checkpoint_delete('damaged');
SELECT pgmem_checkpoint_delete('agent');

-- JSON text given to pgmem_checkpoint_save_json is encoded once, straight into the
-- frame; pgmem_checkpoint_save takes a pgmem_snapshot (JSON text, jsonb or json cast to
-- one). The same checkpoints either way.
SELECT pgmem_checkpoint_save_json('forms', '{"turn": 1, "messages": ["hello"]}', 'json-text'),
       pgmem_checkpoint_save('forms', '{"turn": 2, "messages": ["hello"]}', 'literal'),
       pgmem_checkpoint_save('forms', '{"turn": 3, "messages": ["hello"]}'::jsonb, 'jsonb');
SELECT l.checkpoint_id, l.snapshot
FROM pgmem_checkpoint_list('forms') li, pgmem_checkpoint_load('forms', li.checkpoint_id) l
ORDER BY 1;
\set VERBOSITY sqlstate
SELECT pgmem_checkpoint_save_json('forms', 'not json');
SELECT pgmem_checkpoint_save_json('forms', '["\u0000"]');
SELECT pgmem_checkpoint_save_json('forms', NULL);
\set VERBOSITY terse
SELECT pgmem_checkpoint_save_json('forms', '{"unclosed": ');
\set VERBOSITY default
SELECT pgmem_checkpoint_delete('forms');
