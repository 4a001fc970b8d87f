-- Checkpoint namespaces, the order of checkpoints, pending writes, reading checkpoints
-- with their writes, copying a session and deleting by metadata, as a user sees them
-- (README, "Checkpoints"). Every error shows its SQLSTATE; what is stored is shown
-- after it, unchanged.
\set VERBOSITY sqlstate
-- A conversation of n turns: successive ones differ by a message (and the tag), so
-- each is stored as a delta against the one before.
CREATE FUNCTION pg_temp.turns(n integer, tag text) RETURNS pgmem_snapshot
LANGUAGE sql AS $$
    SELECT json_build_object('tag', tag, 'messages', (
        SELECT json_agg('message ' || m || ': ' || repeat('the flight to Oslo ', 6) ORDER BY m)
        FROM generate_series(1, n) AS m))::text::pgmem_snapshot
$$;

------------------------------------------------------------------------------------------
-- Namespaces: LangGraph keeps a subgraph's checkpoints apart from its parent graph's, in
-- the same session. The same id in two namespaces is two checkpoints.
SELECT pgmem_checkpoint_save('ns', pg_temp.turns(1, 'root 1'), 'c1'),
       pgmem_checkpoint_save('ns', pg_temp.turns(2, 'root 2'), 'c2', parent_id => 'c1'),
       pgmem_checkpoint_save('ns', pg_temp.turns(1, 'sub 1'), 'c1', checkpoint_ns => 'sub'),
       pgmem_checkpoint_save_json('ns', pg_temp.turns(3, 'sub 3')::text, 'c3', parent_id => 'c1',
                                  checkpoint_ns => 'sub');
-- Each namespace has its own latest, loads and list; the root ('') is the default.
SELECT checkpoint_id, snapshot::jsonb ->> 'tag' AS tag FROM pgmem_checkpoint_load('ns');
SELECT checkpoint_id, snapshot::jsonb ->> 'tag' AS tag
FROM pgmem_checkpoint_load('ns', checkpoint_ns => 'sub');
SELECT checkpoint_id, snapshot::jsonb ->> 'tag' AS tag FROM pgmem_checkpoint_load('ns', 'c1');
SELECT checkpoint_id, snapshot::jsonb ->> 'tag' AS tag FROM pgmem_checkpoint_load('ns', 'c1', 'sub');
SELECT count(*) AS c3_in_root FROM pgmem_checkpoint_load('ns', 'c3');
SELECT count(*) AS in_unknown_namespace FROM pgmem_checkpoint_load('ns', checkpoint_ns => 'nowhere');
SELECT checkpoint_id, parent_id FROM pgmem_checkpoint_list('ns');
SELECT checkpoint_id, parent_id FROM pgmem_checkpoint_list('ns', checkpoint_ns => 'sub');
-- before_id names a checkpoint of the namespace listed: c3 is not in the root.
SELECT checkpoint_id FROM pgmem_checkpoint_list('ns', before_id => 'c3', checkpoint_ns => 'sub');
SELECT count(*) AS root_before_c3 FROM pgmem_checkpoint_list('ns', before_id => 'c3');
-- A checkpoint is stored against one of its own namespace only: a parent in another is
-- recorded, not used as the base (nothing else is in 'other': a keyframe).
SELECT pgmem_checkpoint_save('ns', pg_temp.turns(3, 'other 3'), 'c4', parent_id => 'c2',
                             checkpoint_ns => 'other');
SELECT checkpoint_ns, checkpoint_id, parent_id, base_id
FROM pgmem_checkpoints WHERE session_id = 'ns' ORDER BY 1, 2;

-- A namespace is 0 to 1024 characters and never NULL: 22023, nothing stored. The table
-- checks the same for rows written directly (23514).
SELECT pgmem_checkpoint_save('ns', '{}', 'long-ns', checkpoint_ns => repeat('n', 1025));
SELECT pgmem_checkpoint_save('ns', '{}', 'null-ns', checkpoint_ns => NULL);
SELECT pgmem_checkpoint_save_json('ns', '{}', 'null-ns', checkpoint_ns => NULL);
SELECT * FROM pgmem_checkpoint_load('ns', checkpoint_ns => NULL);
SELECT * FROM pgmem_checkpoint_load('ns', checkpoint_ns => repeat('n', 1025));
SELECT * FROM pgmem_checkpoint_list('ns', checkpoint_ns => NULL);
SELECT * FROM pgmem_checkpoint_list('ns', checkpoint_ns => repeat('n', 1025));
SELECT pgmem_checkpoint_delete('ns', checkpoint_ns => repeat('n', 1025));
INSERT INTO pgmem_checkpoints (session_id, checkpoint_ns, checkpoint_id, frame, saved_at)
VALUES ('ns', repeat('n', 1025), 'direct', '\x00', now());
SELECT pgmem_checkpoint_save('ns', '{"longest": true}', 'longest-ns', checkpoint_ns => repeat('n', 1024));
SELECT length(checkpoint_ns) AS ns_length, string_agg(checkpoint_id, ',' ORDER BY checkpoint_id) AS ids
FROM pgmem_checkpoints WHERE session_id = 'ns' GROUP BY 1 ORDER BY 1;

-- Delete one checkpoint of one namespace: c1 of the root stays, and c3, stored against
-- the c1 deleted, is re-encoded and still loads.
SELECT pgmem_checkpoint_delete('ns', 'c1', 'sub') AS deleted;
SELECT checkpoint_ns, checkpoint_id, base_id FROM pgmem_checkpoints
WHERE session_id = 'ns' AND checkpoint_ns IN ('', 'sub') ORDER BY 1, 2;
SELECT checkpoint_id, snapshot::jsonb ->> 'tag' AS tag,
       jsonb_array_length(snapshot::jsonb -> 'messages') AS turns
FROM pgmem_checkpoint_load('ns', 'c3', 'sub');
-- Without a namespace (NULL, the default) an id is deleted from every namespace.
SELECT pgmem_checkpoint_save('ns', pg_temp.turns(2, 'sub 2'), 'c2', checkpoint_ns => 'sub');
SELECT pgmem_checkpoint_delete('ns', 'c2') AS deleted_from_every_namespace;
-- A whole namespace; the root namespace; then the rest of the session.
SELECT pgmem_checkpoint_delete('ns', NULL, 'sub') AS deleted_namespace;
SELECT checkpoint_ns, checkpoint_id FROM pgmem_checkpoints
WHERE session_id = 'ns' AND length(checkpoint_ns) < 10 ORDER BY 1, 2;
SELECT pgmem_checkpoint_delete('ns', checkpoint_ns => '') AS deleted_root;
SELECT pgmem_checkpoint_delete('ns') AS deleted_rest;
SELECT count(*) AS left_in_session FROM pgmem_checkpoints WHERE session_id = 'ns';

------------------------------------------------------------------------------------------
-- The order: a checkpoint keeps the place it got when first saved. Saving over an older
-- one replaces what it holds (snapshot, label, metadata, parent), not its saved_at: it
-- does not become the latest.
SELECT pgmem_checkpoint_save('order', '{"v": 1}', 'o1'),
       pgmem_checkpoint_save('order', '{"v": 2}', 'o2'),
       pgmem_checkpoint_save('order', '{"v": 3}', 'o3');
SELECT saved_at AS o1_first_saved_at FROM pgmem_checkpoint_list('order') WHERE checkpoint_id = 'o1'
\gset
SELECT pgmem_checkpoint_save('order', '{"v": "1 again"}', 'o1', 'again', '{"retried": true}',
                             parent_id => 'o3');
SELECT checkpoint_id, snapshot FROM pgmem_checkpoint_load('order');
SELECT checkpoint_id, parent_id, label, metadata, saved_at = :'o1_first_saved_at' AS at_o1_first_save
FROM pgmem_checkpoint_list('order');
SELECT checkpoint_id, label, snapshot FROM pgmem_checkpoint_load('order', 'o1');
-- before_id pages by that place.
SELECT checkpoint_id FROM pgmem_checkpoint_list('order', 1, before_id => 'o3');
SELECT checkpoint_id FROM pgmem_checkpoint_list('order', 1, before_id => 'o2');
SELECT count(*) AS before_the_oldest FROM pgmem_checkpoint_list('order', before_id => 'o1');
SELECT checkpoint_id FROM pgmem_checkpoint_read('order', before_id => 'o3', max_rows => 10);
SELECT pgmem_checkpoint_delete('order') AS deleted;

------------------------------------------------------------------------------------------
-- Pending writes: what a step's tasks wrote, kept with the checkpoint the step started
-- from, one call per task. A value is JSON (documents) or bytes pgmem does not read
-- (blobs); value_types is the caller's tag for each. They may come before the
-- checkpoint is saved.
SELECT pgmem_checkpoint_put_writes('w', 'w1', 'task-b', ARRAY['messages', 'files'],
                                   ARRAY['json', 'bytes'], ARRAY['{"m": "hello"}', NULL],
                                   ARRAY[NULL, '\x0001ff']::bytea[], task_path => 'a~1') AS written;
SELECT pgmem_checkpoint_put_writes('w', 'w1', 'task-a', ARRAY['messages'], ARRAY['msgpack'],
                                   blobs => ARRAY['\x81a16d01']::bytea[], task_path => 'b~1') AS written;
SELECT pgmem_checkpoint_put_writes('w', 'w1', 'task-c', ARRAY['__error__'], ARRAY['json'],
                                   ARRAY['"boom"'], idx => ARRAY[-1], task_path => 'a~1') AS written;
SELECT count(*) AS read_before_the_checkpoint FROM pgmem_checkpoint_read('w', checkpoint_id => 'w1');
SELECT pgmem_checkpoint_save('w', '{"turn": 1}', 'w1');
-- pgmem_checkpoint_read returns them as parallel arrays in (task_path, task_id, idx)
-- order; idx NULL numbers a task's writes 0, 1, ...
CREATE FUNCTION pg_temp.writes_of(session_id text, checkpoint_id text, checkpoint_ns text DEFAULT '')
RETURNS TABLE (n bigint, task_id text, channel text, value_type text, value pgmem_snapshot, blob bytea)
LANGUAGE sql AS $$
    SELECT u.n, u.task_id, u.channel, u.value_type, u.value, u.blob
    FROM pgmem_checkpoint_read(session_id, checkpoint_ns, checkpoint_id) r,
         unnest(r.write_task_ids, r.write_channels, r.write_types, r.write_values, r.write_blobs)
         WITH ORDINALITY AS u (task_id, channel, value_type, value, blob, n)
$$;
SELECT * FROM pg_temp.writes_of('w', 'w1');
SELECT task_path, task_id, idx, channel FROM pgmem_checkpoint_writes
WHERE session_id = 'w' ORDER BY 1, 2, 3;
-- A task that runs again writes nothing twice: a write with idx 0 or more is stored only
-- when its key (checkpoint, task_id, idx) is new; one with a negative idx (a special
-- channel: an error, an interrupt) replaces the one stored.
SELECT pgmem_checkpoint_put_writes('w', 'w1', 'task-b', ARRAY['messages', 'files', 'extra'],
                                   ARRAY['json', 'json', 'json'],
                                   ARRAY['"changed"', '"changed"', '"new"'], task_path => 'a~1') AS written;
SELECT pgmem_checkpoint_put_writes('w', 'w1', 'task-c', ARRAY['__error__'], ARRAY['json'],
                                   ARRAY['"boom again"'], idx => ARRAY[-1], task_path => 'a~1') AS written;
-- Within one call too, as if the writes came one at a time: of two with one negative idx
-- the second, of two with another idx the first.
SELECT pgmem_checkpoint_put_writes('w', 'w1', 'task-d', ARRAY['__interrupt__', '__interrupt__', 'x', 'x'],
                                   ARRAY['json', 'json', 'json', 'json'],
                                   ARRAY['1', '2', '"first"', '"second"'], idx => ARRAY[-3, -3, 5, 5]) AS written;
SELECT pgmem_checkpoint_put_writes('w', 'w1', 'task-e', '{}', '{}') AS written_of_none;
SELECT * FROM pg_temp.writes_of('w', 'w1');

-- Bad writes: 22023 (the document's own input error for one that is not JSON), and
-- none of the call's writes is stored.
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', NULL, NULL);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], NULL, ARRAY['1']);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a', 'b'], ARRAY['json'], ARRAY['1', '2']);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], ARRAY['json'], ARRAY['1', '2']);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], ARRAY['json'],
                                   blobs => ARRAY['\x01', '\x02']::bytea[]);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], ARRAY['json'], ARRAY['1'], idx => ARRAY[1, 2]);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], ARRAY['json'], ARRAY['1'],
                                   ARRAY['\x01']::bytea[]);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a', 'b'], ARRAY['json', 'json'], ARRAY['1', NULL]);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a', NULL], ARRAY['json', 'json'], ARRAY['1', '2']);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], ARRAY[NULL::text], ARRAY['1']);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], ARRAY['json'], ARRAY['1'], task_path => NULL);
SELECT pgmem_checkpoint_put_writes('w', 'w1', '', ARRAY['a'], ARRAY['json'], ARRAY['1']);
SELECT pgmem_checkpoint_put_writes('w', 'w1', repeat('t', 65), ARRAY['a'], ARRAY['json'], ARRAY['1']);
SELECT pgmem_checkpoint_put_writes('w', NULL, 't', ARRAY['a'], ARRAY['json'], ARRAY['1']);
SELECT pgmem_checkpoint_put_writes('w', repeat('c', 65), 't', ARRAY['a'], ARRAY['json'], ARRAY['1']);
SELECT pgmem_checkpoint_put_writes('', 'w1', 't', ARRAY['a'], ARRAY['json'], ARRAY['1']);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], ARRAY['json'], ARRAY['1'], checkpoint_ns => NULL);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], ARRAY['json'], ARRAY['1'],
                                   checkpoint_ns => repeat('n', 1025));
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['ok', 'bad'], ARRAY['json', 'json'],
                                   ARRAY['1', 'not json']);
SELECT count(*) AS writes_stored, count(*) FILTER (WHERE task_id = 't') AS of_the_bad_calls
FROM pgmem_checkpoint_writes WHERE session_id = 'w';
-- Writing needs a writable transaction: 25006, nothing stored.
BEGIN READ ONLY;
SELECT count(*) AS readable FROM pgmem_checkpoint_read('w', max_rows => 10);
SELECT pgmem_checkpoint_put_writes('w', 'w1', 't', ARRAY['a'], ARRAY['json'], ARRAY['1']);
ROLLBACK;

-- Writes go with their checkpoint, and only with it: deleting w1 of the root deletes its
-- writes, not those of w2 nor of w1 in another namespace.
SELECT pgmem_checkpoint_save('w', '{"turn": 2}', 'w2', parent_id => 'w1'),
       pgmem_checkpoint_put_writes('w', 'w2', 'task-a', ARRAY['messages'], ARRAY['json'], ARRAY['2']),
       pgmem_checkpoint_save('w', '{"turn": 1, "in": "sub"}', 'w1', checkpoint_ns => 'sub'),
       pgmem_checkpoint_put_writes('w', 'w1', 'task-a', ARRAY['messages'], ARRAY['json'],
                                   ARRAY['"in sub"'], checkpoint_ns => 'sub');
SELECT pgmem_checkpoint_delete('w', 'w1', '') AS deleted;
SELECT checkpoint_ns, checkpoint_id, count(*) AS writes FROM pgmem_checkpoint_writes
WHERE session_id = 'w' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT * FROM pg_temp.writes_of('w', 'w1', 'sub');
SELECT pgmem_checkpoint_delete('w') AS deleted;
SELECT count(*) AS writes_left FROM pgmem_checkpoint_writes WHERE session_id = 'w';

------------------------------------------------------------------------------------------
-- pgmem_checkpoint_read: checkpoints with their complete snapshots and pending writes,
-- newest first, in one call; by default the latest of the root namespace (LangGraph's
-- get_tuple), or a page of them (LangGraph's list).
SELECT pgmem_checkpoint_save('r', pg_temp.turns(1, 'r1'), 'r1', metadata => '{"source": "input", "step": -1}'),
       pgmem_checkpoint_save('r', pg_temp.turns(2, 'r2'), 'r2', 'second', '{"source": "loop", "step": 0}', 'r1'),
       pgmem_checkpoint_save('r', pg_temp.turns(3, 'r3'), 'r3', metadata => '{"source": "loop", "step": 1}',
                             parent_id => 'r2'),
       pgmem_checkpoint_put_writes('r', 'r2', 'task-1', ARRAY['messages', 'raw'], ARRAY['json', 'bytes'],
                                   ARRAY['{"n": 2}', NULL], ARRAY[NULL, '\xbeef']::bytea[]),
       pgmem_checkpoint_save('r', pg_temp.turns(1, 'sub r1'), 'r1', checkpoint_ns => 'sub',
                             metadata => '{"source": "input"}'),
       pgmem_checkpoint_save('r-other', pg_temp.turns(1, 'other sub r1'), 'r1', checkpoint_ns => 'sub',
                             metadata => '{"source": "input"}');
SELECT session_id, checkpoint_ns, checkpoint_id, parent_id, label, metadata,
       snapshot::jsonb ->> 'tag' AS tag, write_task_ids, write_channels, write_types,
       write_values, write_blobs
FROM pgmem_checkpoint_read('r');
SELECT checkpoint_id, label, snapshot::jsonb ->> 'tag' AS tag, write_task_ids, write_channels,
       write_types, write_values, write_blobs
FROM pgmem_checkpoint_read('r', checkpoint_id => 'r2');
SELECT count(*) AS unknown_id FROM pgmem_checkpoint_read('r', checkpoint_id => 'r9');
SELECT count(*) AS unknown_session FROM pgmem_checkpoint_read('nobody');
-- Pages: max_rows, before_id (none when it is unknown), metadata_filter.
SELECT checkpoint_id FROM pgmem_checkpoint_read('r', max_rows => 10);
SELECT checkpoint_id FROM pgmem_checkpoint_read('r', max_rows => 2);
SELECT checkpoint_id FROM pgmem_checkpoint_read('r', before_id => 'r3', max_rows => 10);
SELECT count(*) AS before_unknown FROM pgmem_checkpoint_read('r', before_id => 'r9', max_rows => 10);
SELECT checkpoint_id FROM pgmem_checkpoint_read('r', max_rows => 10, metadata_filter => '{"source": "loop"}');
SELECT checkpoint_id FROM pgmem_checkpoint_read('r', checkpoint_id => 'r2', before_id => 'r3');
-- checkpoint_ns NULL reads every namespace of the session; session_id NULL every session.
SELECT checkpoint_ns, checkpoint_id, snapshot::jsonb ->> 'tag' AS tag
FROM pgmem_checkpoint_read('r', NULL, max_rows => 10);
SELECT checkpoint_ns, checkpoint_id FROM pgmem_checkpoint_read('r', NULL, 'r1', max_rows => 10);
SELECT checkpoint_ns, checkpoint_id FROM pgmem_checkpoint_read('r', NULL, before_id => 'r3', max_rows => 10);
SELECT session_id, checkpoint_ns, checkpoint_id, snapshot::jsonb ->> 'tag' AS tag
FROM pgmem_checkpoint_read(NULL, 'sub', max_rows => 10, metadata_filter => '{"source": "input"}');
SELECT session_id, checkpoint_ns, checkpoint_id
FROM pgmem_checkpoint_read(NULL, NULL, 'r1', max_rows => 10);
-- Without writes, the arrays are empty, not NULL.
SELECT checkpoint_ns, checkpoint_id, write_task_ids, write_channels, write_types, write_values,
       write_blobs
FROM pgmem_checkpoint_read('r', NULL, max_rows => 10);
-- Snapshots are complete, whatever the row stores: a checkpoint kept as a delta comes
-- back as a whole snapshot (codec 1), the one pgmem_checkpoint_load returns.
SELECT r.checkpoint_id, c.base_id, get_byte(pgmem_snapshot_send(r.snapshot), 4) AS codec,
       jsonb_array_length(r.snapshot::jsonb -> 'messages') AS turns,
       r.snapshot::text = l.snapshot::text AS as_loaded
FROM pgmem_checkpoint_read('r', max_rows => 10) r
JOIN pgmem_checkpoints c USING (session_id, checkpoint_ns, checkpoint_id)
CROSS JOIN LATERAL pgmem_checkpoint_load(r.session_id, r.checkpoint_id, r.checkpoint_ns) l
ORDER BY r.checkpoint_id;
-- The same through a prepared statement's generic plan, as drivers run a statement after
-- a few executions: the NULLs are not known when it is planned.
PREPARE read_page(text, text, text, text, integer) AS
    SELECT session_id, checkpoint_ns, checkpoint_id FROM pgmem_checkpoint_read($1, $2, $3, $4, $5);
SET plan_cache_mode = force_generic_plan;
EXECUTE read_page('r', '', NULL, NULL, 1);
EXECUTE read_page('r', '', 'r2', NULL, 1);
EXECUTE read_page('r', '', NULL, 'r3', 10);
EXECUTE read_page('r', NULL, NULL, NULL, 10);
EXECUTE read_page(NULL, 'sub', 'r1', NULL, 10);
EXECUTE read_page(NULL, NULL, 'r2', NULL, 10);
EXECUTE read_page('', '', NULL, NULL, 1);
RESET plan_cache_mode;
DEALLOCATE read_page;
-- Bad arguments: 22023.
SELECT * FROM pgmem_checkpoint_read('');
SELECT * FROM pgmem_checkpoint_read(repeat('s', 256));
SELECT * FROM pgmem_checkpoint_read('r', repeat('n', 1025));
SELECT * FROM pgmem_checkpoint_read('r', checkpoint_id => repeat('c', 65));
SELECT * FROM pgmem_checkpoint_read('r', max_rows => 0);
SELECT * FROM pgmem_checkpoint_read('r', max_rows => 10001);
SELECT * FROM pgmem_checkpoint_read('r', max_rows => NULL);
SELECT * FROM pgmem_checkpoint_read(NULL, NULL, max_rows => 0);
SELECT pgmem_checkpoint_delete('r') + pgmem_checkpoint_delete('r-other') AS deleted;

------------------------------------------------------------------------------------------
-- pgmem_checkpoint_copy: every checkpoint of a session, in every namespace, and every
-- pending write (also of a checkpoint not saved yet), into another session.
SELECT pgmem_checkpoint_save('src', pg_temp.turns(1, 's1'), 's1', metadata => '{"step": 1}'),
       pgmem_checkpoint_save('src', pg_temp.turns(2, 's2'), 's2', parent_id => 's1'),
       pgmem_checkpoint_save('src', pg_temp.turns(3, 's3'), 's3', 'third', '{"step": 3}', 's2'),
       pgmem_checkpoint_save('src', pg_temp.turns(1, 'sub s1'), 's1', checkpoint_ns => 'sub'),
       pgmem_checkpoint_put_writes('src', 's2', 'task-1', ARRAY['messages', 'raw'], ARRAY['json', 'bytes'],
                                   ARRAY['{"n": 2}', NULL], ARRAY[NULL, '\xbeef']::bytea[]),
       pgmem_checkpoint_put_writes('src', 'pending', 'task-2', ARRAY['messages'], ARRAY['json'],
                                   ARRAY['"not saved yet"'], checkpoint_ns => 'sub', task_path => 'p');
SELECT pgmem_checkpoint_copy('src', 'dst') AS copied;
-- Every column but the session is the same, the frames byte for byte (nothing is
-- compressed again) and saved_at too (the copy keeps the order).
SELECT count(s.*) AS source_rows, count(d.*) AS copies,
       count(*) FILTER (WHERE (s.parent_id, s.label, s.metadata, s.frame, s.saved_at, s.base_id)
                              IS NOT DISTINCT FROM
                              (d.parent_id, d.label, d.metadata, d.frame, d.saved_at, d.base_id))
           AS identical
FROM (SELECT * FROM pgmem_checkpoints WHERE session_id = 'src') s
FULL JOIN (SELECT * FROM pgmem_checkpoints WHERE session_id = 'dst') d
    USING (checkpoint_ns, checkpoint_id);
SELECT count(s.*) AS source_writes, count(d.*) AS copies,
       count(*) FILTER (WHERE (s.channel, s.task_path, s.value_type, pgmem_snapshot_send(s.value), s.blob)
                              IS NOT DISTINCT FROM
                              (d.channel, d.task_path, d.value_type, pgmem_snapshot_send(d.value), d.blob))
           AS identical
FROM (SELECT * FROM pgmem_checkpoint_writes WHERE session_id = 'src') s
FULL JOIN (SELECT * FROM pgmem_checkpoint_writes WHERE session_id = 'dst') d
    USING (checkpoint_ns, checkpoint_id, task_id, idx);
-- Read back, the copy is the source: same order, snapshots, parents and writes.
SELECT d.checkpoint_ns, d.checkpoint_id, d.parent_id, d.label, d.metadata,
       d.snapshot::text = s.snapshot::text AS same_snapshot,
       (d.write_task_ids, d.write_channels, d.write_types, d.write_values::text[], d.write_blobs)
           = (s.write_task_ids, s.write_channels, s.write_types, s.write_values::text[], s.write_blobs)
           AS same_writes
FROM pgmem_checkpoint_read('dst', NULL, max_rows => 10) WITH ORDINALITY AS d
FULL JOIN pgmem_checkpoint_read('src', NULL, max_rows => 10) WITH ORDINALITY AS s USING (ordinality)
ORDER BY ordinality;
-- A target that has one of the source's checkpoints (same namespace and id) fails the
-- copy with 23505, and nothing is copied; so does copying twice.
SELECT pgmem_checkpoint_save('dst2', '{"mine": true}', 's2'),
       pgmem_checkpoint_save('dst2', '{"mine": "elsewhere"}', 's1', checkpoint_ns => 'elsewhere');
SELECT pgmem_checkpoint_copy('src', 'dst2');
SELECT pgmem_checkpoint_copy('src', 'dst');
-- The same session twice, or an id out of range: 22023.
SELECT pgmem_checkpoint_copy('src', 'src');
SELECT pgmem_checkpoint_copy('', 'dst3');
SELECT pgmem_checkpoint_copy(NULL, 'dst3');
SELECT pgmem_checkpoint_copy('src', NULL);
SELECT pgmem_checkpoint_copy('src', repeat('s', 256));
SELECT session_id, count(*) AS checkpoints,
       (SELECT count(*) FROM pgmem_checkpoint_writes w WHERE w.session_id = c.session_id) AS writes
FROM pgmem_checkpoints c WHERE session_id IN ('src', 'dst', 'dst2', 'dst3') GROUP BY 1 ORDER BY 1;
SELECT checkpoint_ns, checkpoint_id, snapshot FROM pgmem_checkpoint_read('dst2', NULL, max_rows => 10);
-- An unknown source copies nothing; a copy does not need its source.
SELECT pgmem_checkpoint_copy('nobody', 'dst3') AS copied;
SELECT pgmem_checkpoint_delete('src') AS deleted_source;
SELECT checkpoint_ns, checkpoint_id, snapshot::jsonb ->> 'tag' AS tag, cardinality(write_task_ids) AS writes
FROM pgmem_checkpoint_read('dst', NULL, max_rows => 10);
SELECT pgmem_checkpoint_delete('dst') + pgmem_checkpoint_delete('dst2') AS deleted;

------------------------------------------------------------------------------------------
-- pgmem_checkpoint_delete_by_metadata: the checkpoints whose metadata contains any of the
-- filters, in every session and namespace, with their writes (LangGraph's
-- delete_for_runs, a filter per run). What was stored against them stays loadable.
SELECT pgmem_checkpoint_save('m1', pg_temp.turns(1, 'a1'), 'a1', metadata => '{"run_id": "r1"}'),
       pgmem_checkpoint_save('m1', pg_temp.turns(2, 'a2'), 'a2', metadata => '{"run_id": "r2"}'),
       pgmem_checkpoint_save('m1', pg_temp.turns(3, 'a3'), 'a3', metadata => '{"run_id": "r3", "step": 1}'),
       pgmem_checkpoint_save('m1', pg_temp.turns(1, 'b1'), 'b1', checkpoint_ns => 'sub',
                             metadata => '{"run_id": "r1", "step": 0}'),
       pgmem_checkpoint_save('m2', pg_temp.turns(1, 'c1'), 'c1', metadata => '{"run_id": "r2", "user": "u"}'),
       pgmem_checkpoint_save('m2', pg_temp.turns(2, 'c2'), 'c2', metadata => '{"run_id": "r3"}');
SELECT pgmem_checkpoint_put_writes(s, c, 'task', ARRAY['messages'], ARRAY['json'], ARRAY[to_json(c)::text], checkpoint_ns => ns)
FROM (VALUES ('m1', '', 'a1'), ('m1', '', 'a3'), ('m1', 'sub', 'b1'), ('m2', '', 'c1'), ('m2', '', 'c2')) AS v (s, ns, c);
SELECT session_id, checkpoint_ns, checkpoint_id, base_id FROM pgmem_checkpoints
WHERE session_id IN ('m1', 'm2') ORDER BY 1, 2, 3;
-- Any of the filters, each by containment: run r1, and whatever user u saved.
SELECT pgmem_checkpoint_delete_by_metadata(ARRAY['{"run_id": "r1"}', '{"user": "u"}']::jsonb[]) AS deleted;
SELECT c.session_id, c.checkpoint_ns, c.checkpoint_id, c.base_id, l.snapshot::jsonb ->> 'tag' AS tag,
       jsonb_array_length(l.snapshot::jsonb -> 'messages') AS turns
FROM pgmem_checkpoints c
CROSS JOIN LATERAL pgmem_checkpoint_load(c.session_id, c.checkpoint_id, c.checkpoint_ns) l
WHERE c.session_id IN ('m1', 'm2') ORDER BY 1, 2, 3;
SELECT session_id, checkpoint_ns, checkpoint_id FROM pgmem_checkpoint_writes
WHERE session_id IN ('m1', 'm2') ORDER BY 1, 2, 3;
-- No filters match nothing. A filter that is not a JSON object with a key (it would
-- match every checkpoint, or none), a NULL filter or NULL: 22023, nothing deleted.
SELECT pgmem_checkpoint_delete_by_metadata('{}') AS deleted_by_no_filters;
SELECT pgmem_checkpoint_delete_by_metadata(ARRAY['{}']::jsonb[]);
SELECT pgmem_checkpoint_delete_by_metadata(ARRAY['{"run_id": "r3"}', '{}']::jsonb[]);
SELECT pgmem_checkpoint_delete_by_metadata(ARRAY['[{"run_id": "r3"}]']::jsonb[]);
SELECT pgmem_checkpoint_delete_by_metadata(ARRAY['"r3"']::jsonb[]);
SELECT pgmem_checkpoint_delete_by_metadata(ARRAY['{"run_id": "r3"}', NULL]::jsonb[]);
SELECT pgmem_checkpoint_delete_by_metadata(NULL);
SELECT session_id, checkpoint_ns, checkpoint_id,
       (SELECT count(*) FROM pgmem_checkpoint_writes w
        WHERE (w.session_id, w.checkpoint_ns, w.checkpoint_id) = (c.session_id, c.checkpoint_ns, c.checkpoint_id))
           AS writes
FROM pgmem_checkpoints c WHERE session_id IN ('m1', 'm2') ORDER BY 1, 2, 3;
SELECT pgmem_checkpoint_delete_by_metadata(ARRAY['{"run_id": "r2"}', '{"run_id": "r3"}']::jsonb[]) AS deleted;
SELECT count(*) AS checkpoints_left, (SELECT count(*) FROM pgmem_checkpoint_writes
                                      WHERE session_id IN ('m1', 'm2')) AS writes_left
FROM pgmem_checkpoints WHERE session_id IN ('m1', 'm2');

------------------------------------------------------------------------------------------
-- Retention per namespace: prune keeps the newest `keep` of every namespace, expire never
-- deletes a namespace's latest; the writes of what goes go with it, the others' stay.
SELECT count(pgmem_checkpoint_save('p', pg_temp.turns(i, 'p' || i), 'p' || i)) FROM generate_series(1, 4) AS i;
SELECT count(pgmem_checkpoint_save('p', pg_temp.turns(i, 'q' || i), 'q' || i, checkpoint_ns => 'sub'))
FROM generate_series(1, 3) AS i;
SELECT sum(pgmem_checkpoint_put_writes('p', c, 'task', ARRAY['messages'], ARRAY['json'], ARRAY[to_json(c)::text],
                                       checkpoint_ns => ns)) AS written
FROM (VALUES ('', 'p1'), ('', 'p3'), ('', 'p4'), ('sub', 'q1'), ('sub', 'q3')) AS v (ns, c);
SELECT pgmem_checkpoint_prune(ARRAY['p'], 2) AS pruned;
SELECT checkpoint_ns, checkpoint_id, snapshot::jsonb ->> 'tag' AS tag, write_values
FROM pgmem_checkpoint_read('p', NULL, max_rows => 10);
SELECT checkpoint_ns, checkpoint_id FROM pgmem_checkpoint_writes WHERE session_id = 'p' ORDER BY 1, 2;
UPDATE pgmem_checkpoints SET saved_at = saved_at - interval '2 days' WHERE session_id = 'p';
SELECT pgmem_checkpoint_expire('1 day') AS expired;
SELECT checkpoint_ns, checkpoint_id, snapshot::jsonb ->> 'tag' AS tag, write_values
FROM pgmem_checkpoint_read('p', NULL, max_rows => 10);
SELECT checkpoint_ns, checkpoint_id FROM pgmem_checkpoint_writes WHERE session_id = 'p' ORDER BY 1, 2;
SELECT pgmem_checkpoint_delete('p') AS deleted;
SELECT count(*) AS writes_left FROM pgmem_checkpoint_writes WHERE session_id = 'p';
