-- The catalog documentation: what \dT+, \df+, \d+ and \dC+ show. Every function's
-- comment names each of its arguments and ends with its errors ("Errors: ..." with the
-- SQLSTATEs); tests/pg_regress/sql/catalog.sql fails when one does not.

COMMENT ON TYPE pgmem_snapshot IS
'One JSON document stored as zstd-compressed CBOR (docs/FORMAT.md). Text input: any JSON '
'that jsonb accepts; output: JSON text; ::jsonb gives back a value equal to the input''s '
'jsonb. Binary send/recv carry the stored bytes. Casts from jsonb and json are implicit, '
'back to them explicit. Limits: pgmem.max_snapshot_bytes of CBOR and 10000 nesting '
'levels; numbers within numeric''s range with at most 1000 digits; JSON text at most 8 '
'bytes per CBOR byte plus 1 MiB (docs/FORMAT.md). Errors: 22P02 invalid JSON, 22P03 '
'invalid binary input, 22P05 \u0000, 22003 a number outside those limits, 54000 a limit '
'exceeded, 57014 cancelled, XX001 a damaged stored value.';

COMMENT ON FUNCTION pgmem_snapshot_in(cstring) IS
'Text input of pgmem_snapshot: parses the JSON text and compresses it at '
'pgmem.compression_level. Stable: its result depends on pgmem.compression_level and '
'pgmem.max_snapshot_bytes. Errors: 22P02 invalid JSON (with line and column), 22P05 '
'\u0000, 22003 a number outside numeric or with more than 1000 digits, 54000 over '
'pgmem.max_snapshot_bytes of CBOR, 10000 nesting levels or the JSON text bound, 57014 '
'cancelled (statement_timeout, pg_cancel_backend).';
COMMENT ON FUNCTION pgmem_snapshot_out(pgmem_snapshot) IS
'Text output of pgmem_snapshot: the JSON document, keys in the order saved, numbers '
'printed as jsonb prints them. Errors: XX001 when the stored bytes are damaged, 54000 '
'when the text would exceed 1 GB, 57014 cancelled.';
COMMENT ON FUNCTION pgmem_snapshot_recv(internal) IS
'Binary input of pgmem_snapshot: the stored format of docs/FORMAT.md, checked in full '
'(header, zstd frame, CBOR, canonical numbers) before it is accepted. Errors: 22P03 for '
'anything else, 22003 a number outside numeric or with more than 1000 digits, 54000 for '
'a frame claiming or expanding past pgmem.max_snapshot_bytes or JSON text past its bound, '
'57014 cancelled.';
COMMENT ON FUNCTION pgmem_snapshot_send(pgmem_snapshot) IS
'Binary output of pgmem_snapshot: the stored bytes (docs/FORMAT.md), decodable by any '
'client with a zstd and a CBOR library. Errors: none.';
COMMENT ON FUNCTION pgmem_snapshot(jsonb) IS
'Cast jsonb to pgmem_snapshot (implicit, so a jsonb parameter works where a snapshot is '
'expected). Errors: 22003 a number with more than 1000 digits, 54000 over '
'pgmem.max_snapshot_bytes of CBOR or 10000 nesting levels, 57014 cancelled.';
COMMENT ON FUNCTION pgmem_snapshot(json) IS
'Cast json to pgmem_snapshot (implicit); duplicate keys keep the last value, as jsonb '
'does. Errors: as pgmem_snapshot_in.';
COMMENT ON FUNCTION pgmem_snapshot_to_jsonb(pgmem_snapshot) IS
'Cast pgmem_snapshot to jsonb (explicit): equal to the jsonb of the document saved. '
'Errors: XX001 when the stored bytes are damaged, 57014 cancelled.';
COMMENT ON FUNCTION pgmem_snapshot_to_json(pgmem_snapshot) IS
'Cast pgmem_snapshot to json (explicit): the JSON text, keys in the order saved. Errors: '
'XX001 when the stored bytes are damaged, 54000 when the text would exceed 1 GB, 57014 '
'cancelled.';
COMMENT ON FUNCTION pgmem_snapshot_raw_size(pgmem_snapshot) IS
'Bytes of the CBOR document before compression, read from the header without '
'decompressing (and, for a toasted value, without fetching more than the header). '
'Errors: XX001 when the stored header is damaged.';
COMMENT ON FUNCTION pgmem_snapshot_stored_size(pgmem_snapshot) IS
'Bytes the value occupies as stored: format header plus zstd frame, without the varlena '
'header; read without fetching or decompressing the value. Errors: none.';

COMMENT ON CAST (jsonb AS pgmem_snapshot) IS
'Implicit: a jsonb value or driver parameter is accepted wherever a snapshot is expected.';
COMMENT ON CAST (json AS pgmem_snapshot) IS
'Implicit: a json value is accepted wherever a snapshot is expected.';
COMMENT ON CAST (pgmem_snapshot AS jsonb) IS
'Explicit: the document as jsonb, to query it with jsonb operators.';
COMMENT ON CAST (pgmem_snapshot AS json) IS
'Explicit: the document as json text, keys in the order saved.';

COMMENT ON FUNCTION pgmem_checked_id(text, text) IS
'Internal: returns value when it is 1 to the limit of argument characters long (255 for '
'user_id and session_id, 64 for other ids); argument is the name the error gives. '
'Errors: 22023 naming argument when value is NULL, empty or too long.';
COMMENT ON FUNCTION pgmem_id_fits(text, text) IS
'Internal: whether value is 1 to the limit of argument characters long, as '
'pgmem_checked_id; the tables'' CHECK constraints. Errors: none.';
COMMENT ON FUNCTION pgmem_checked_limit(integer, text) IS
'Internal: returns value when it is between 1 and 10000; argument is the name the error '
'gives. Errors: 22023 naming argument when value is NULL or out of range.';
COMMENT ON FUNCTION pgmem_uuidv7() IS
'A new UUID version 7 (RFC 9562): 48 bits of Unix milliseconds then random bits, so '
'generated ids sort by creation time. pgmem uses it for generated checkpoint and episode '
'ids. Errors: none.';
COMMENT ON FUNCTION pgmem_tenant(text) IS
'Internal: user_id when it names a user; NULL or empty gives NULL, which matches no row. '
'Errors: 22023 when user_id is over 255 characters, or NULL or empty with '
'pgmem.on_missing_tenant = error.';
COMMENT ON FUNCTION pgmem_like_pattern(text) IS
'Internal: ''%query%'' for ILIKE with the query''s \, % and _ escaped, so that it matches as '
'typed; NULL is treated as the empty query. Used by pgmem_episode_search. Errors: none.';
COMMENT ON TABLE pgmem_search_config IS
'The text search configuration episodes are indexed and searched with: one row, or none '
'for english. Set through pgmem_episode_set_search_config, which indexes every episode '
'again, as does any other change of its row (a restore''s too). Dumped by pg_dump with '
'the extension.';
COMMENT ON COLUMN pgmem_search_config.singleton IS 'Always true: the table holds one row at most.';
COMMENT ON COLUMN pgmem_search_config.config IS 'The text search configuration, e.g. english or simple.';
COMMENT ON INDEX pgmem_search_config_pkey IS 'Keeps pgmem_search_config to one row.';
COMMENT ON FUNCTION pgmem_search_config_changed() IS
'Trigger: a change of the configuration in pgmem_search_config indexes every episode '
'again. Errors: none.';
COMMENT ON FUNCTION pgmem_search_config() IS
'The text search configuration of ranked search: pgmem_search_config''s row, or english. '
'Errors: none.';
COMMENT ON FUNCTION pgmem_search_text(text) IS
'Internal: text as the text search parser should see it: every run of CJK characters as '
'its overlapping character bigrams (a lone character as itself), non-ASCII punctuation as '
'spaces, fullwidth letters and digits as ASCII; at most the first 256 KiB. Errors: none.';
COMMENT ON FUNCTION pgmem_search_terms(text) IS
'The tsvector of text with pgmem_search_config() after pgmem_search_text: what an '
'episode''s terms are, and what a query is looked up by. Errors: none (the text is cut '
'at 256 KiB, which keeps the tsvector within its limits).';
COMMENT ON FUNCTION pgmem_search_length(tsvector) IS
'Internal: the length of an episode for BM25, its lexeme occurrences (the positions terms '
'holds; 1 for a lexeme without positions). Errors: XX001 for damaged terms.';
COMMENT ON FUNCTION pgmem_bm25_query(text[], bigint[], integer[], bigint, bigint) IS
'Internal: the query pgmem_bm25_score scores with, as bytes: lexemes rarest first, each '
'with its idf given episodes_with_term of episodes, and the average length (length / '
'episodes). Of more than 32 lexemes, the 32 with the highest in_query (occurrences in the '
'query) times idf. Errors: 22023 when the arrays differ in length.';
COMMENT ON FUNCTION pgmem_bm25_bounds(bytea) IS
'Internal: the bound of each term of query (from pgmem_bm25_query), the most it adds to '
'a score (idf * (k1 + 1)), in the query''s order, highest first. Errors: 22023 for a '
'query not made by pgmem_bm25_query.';
COMMENT ON FUNCTION pgmem_bm25_match(bytea, double precision, text) IS
'Internal: a tsquery, as text, over the index keys of user_id (pgmem_search_keys), that '
'every episode of that user scoring threshold or more for query matches: the least sets '
'of terms whose bounds add up to threshold, each a conjunction (beyond 64 sets, the terms '
'one of which such an episode must hold); NULL when no episode can. Errors: 22023 for a '
'query not made by pgmem_bm25_query.';
COMMENT ON FUNCTION pgmem_search_keys(text, tsvector) IS
'Internal: the index keys of an episode of user_id: each lexeme of terms behind a 5-byte '
'tag of the user (lexemes cut to fit 2046 bytes), without positions. Errors: 54000 when '
'the keys would exceed a tsvector''s 1 MiB.';
COMMENT ON FUNCTION pgmem_bm25_score(tsvector, bytea) IS
'Internal: the BM25 score (k1 1.2, b 0.75) of an episode''s terms for query (from '
'pgmem_bm25_query). Errors: 22023 for a query not made by pgmem_bm25_query, XX001 for '
'damaged terms.';

COMMENT ON TABLE pgmem_checkpoints IS
'Snapshots of agent sessions, one row per checkpoint; primary key (session_id, '
'checkpoint_ns, checkpoint_id). A row holds a storage frame, not a snapshot: a keyframe, '
'or a delta against its base_id. Written and read through the pgmem_checkpoint_* '
'functions, which return complete snapshots. Dumped by pg_dump with the extension.';
COMMENT ON COLUMN pgmem_checkpoints.session_id IS 'The agent session, 1 to 255 characters.';
COMMENT ON COLUMN pgmem_checkpoints.checkpoint_ns IS
'The namespace within the session, 0 to 1024 characters; '''' (the default) is the root. '
'LangGraph keeps a subgraph''s checkpoints in a namespace of their own.';
COMMENT ON COLUMN pgmem_checkpoints.checkpoint_id IS
'Unique within the namespace, 1 to 64 characters; a UUIDv7 when generated.';
COMMENT ON COLUMN pgmem_checkpoints.parent_id IS
'The checkpoint this one was resumed or branched from, if any.';
COMMENT ON COLUMN pgmem_checkpoints.label IS 'Free text for people, e.g. the turn''s name.';
COMMENT ON COLUMN pgmem_checkpoints.metadata IS
'The caller''s jsonb, matched by the metadata_filter of pgmem_checkpoint_list and '
'pgmem_checkpoint_read and by pgmem_checkpoint_delete_by_metadata.';
COMMENT ON COLUMN pgmem_checkpoints.frame IS
'Storage only (docs/FORMAT.md): a keyframe (the bytes of a complete pgmem_snapshot) when '
'base_id is NULL, else a delta frame that is read with its base. Read checkpoints with '
'pgmem_checkpoint_load. Storage external.';
COMMENT ON COLUMN pgmem_checkpoints.base_id IS
'The checkpoint of the same namespace this frame is a delta against; NULL for a keyframe.';
COMMENT ON COLUMN pgmem_checkpoints.saved_at IS
'clock_timestamp() of the first save, kept when the checkpoint is saved over; with '
'checkpoint_id it orders "latest", lists and before_id.';
COMMENT ON INDEX pgmem_checkpoints_newest IS
'A namespace''s checkpoints newest first: latest, list and paging without a sort.';
COMMENT ON INDEX pgmem_checkpoints_saved_at IS
'All checkpoints oldest first: pgmem_checkpoint_expire''s batches.';
COMMENT ON INDEX pgmem_checkpoints_pkey IS
'The primary key: one row per (session_id, checkpoint_ns, checkpoint_id), the upsert''s '
'conflict target.';

COMMENT ON FUNCTION pgmem_checkpoint_save(text, pgmem_snapshot, text, text, jsonb, text, text) IS
'Save a checkpoint of session_id in namespace checkpoint_ns (default '''') and return its '
'checkpoint_id. Upserts on (session_id, checkpoint_ns, checkpoint_id); a NULL '
'checkpoint_id generates a time-ordered UUIDv7. snapshot may be JSON text, a jsonb or json '
'value, or a binary pgmem_snapshot; label, metadata (NULL: {}) and parent_id are stored '
'as given. saved_at is clock_timestamp() of the first save: saving over a checkpoint '
'replaces what it holds but keeps its place in the order. Stored as a delta against '
'parent_id when it is in the namespace, else against the namespace''s latest, with a '
'keyframe every pgmem.checkpoint_keyframe_interval checkpoints. Saving over a checkpoint '
'first re-encodes the checkpoints stored against it. Errors: 22023 for a NULL snapshot, '
'session_id not 1..255 characters, checkpoint_id or parent_id not 1..64, checkpoint_ns '
'NULL or over 1024; the snapshot''s own input errors (22P02, 54000, ...); XX001 when the '
'base''s stored frames are damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_save_json(text, text, text, text, jsonb, text, text) IS
'pgmem_checkpoint_save for a checkpoint given as JSON text (document): the same result, '
'but the text is encoded once, straight into the frame stored, where pgmem_checkpoint_save '
'first makes it a compressed snapshot that a delta then replaces. Errors: 22023 for a NULL '
'document and the arguments as pgmem_checkpoint_save; the text''s input errors (22P02, '
'22P05, 22003, 54000) as pgmem_snapshot''s text input raises them; XX001 when the base''s '
'stored frames are damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_put(text, pgmem_snapshot, text, text, text, jsonb, text, text) IS
'Internal: the body of pgmem_checkpoint_save and pgmem_checkpoint_save_json; snapshot or '
'document (JSON text) is the checkpoint. Errors: as pgmem_checkpoint_save.';
COMMENT ON FUNCTION pgmem_checkpoint_load(text, text, text) IS
'The checkpoint checkpoint_id of session_id in namespace checkpoint_ns (default ''''), or '
'the namespace''s latest (saved_at DESC, checkpoint_id DESC) when checkpoint_id is NULL; '
'zero rows when there is none. The snapshot is always complete: a checkpoint stored as a '
'delta is rebuilt from its chain and returned uncompressed. Errors: 22023 for session_id '
'not 1..255 characters, checkpoint_id not 1..64, checkpoint_ns NULL or over 1024; XX001 '
'naming the checkpoint when a frame of its chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_list(text, integer, text, jsonb, text) IS
'The checkpoints of session_id in namespace checkpoint_ns (default ''''), newest first, at '
'most max_rows, without snapshot bodies but with raw_bytes (the CBOR size of the complete '
'snapshot) and stored_bytes (the bytes its row stores: the whole snapshot for a keyframe, '
'the delta otherwise). before_id pages: only checkpoints older than it (none when it is '
'not in the namespace). metadata_filter keeps rows whose metadata @> it. Errors: 22023 for '
'session_id not 1..255 characters, max_rows outside 1..10000, checkpoint_ns NULL or over '
'1024.';
COMMENT ON FUNCTION pgmem_checkpoint_delete(text, text, text) IS
'Delete checkpoint checkpoint_id of session_id, or every checkpoint when checkpoint_id is '
'NULL, in namespace checkpoint_ns or, when it is NULL (the default), in every namespace; '
'their pending writes go with them. Returns how many checkpoints were deleted (0 is not an '
'error). Checkpoints stored against a deleted one are re-encoded in the same transaction. '
'Errors: 22023 for session_id not 1..255 characters, checkpoint_id not 1..64, '
'checkpoint_ns over 1024.';
COMMENT ON FUNCTION pgmem_checkpoint_prune(text[], integer) IS
'Retention: keep the newest keep checkpoints of each namespace of each session in '
'session_ids (every session when NULL, none when empty) and delete the rest with their '
'pending writes, re-encoding what the kept ones are stored against; returns how many were '
'deleted. Errors: 22023 for keep NULL or negative.';
COMMENT ON FUNCTION pgmem_checkpoint_expire(interval, boolean, integer) IS
'Retention: delete checkpoints saved before now() - older_than, and their pending writes, '
'oldest first, at most max_rows per call (call again for the next batch), never a '
'namespace''s latest when keep_latest; returns how many were deleted. Errors: 22023 for '
'older_than NULL or negative, keep_latest NULL, max_rows outside 1..10000.';
COMMENT ON FUNCTION pgmem_checkpoint_stats(text) IS
'Storage of one session (all sessions when session_id is NULL): sessions, checkpoints, '
'keyframes, raw_bytes (CBOR of every checkpoint, as if each were stored alone and '
'uncompressed), stored_bytes (the frames stored) and stored_ratio (stored / raw). '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_encode(text, text, text[], bytea[], pgmem_snapshot, text) IS
'Internal: the frame pgmem_checkpoint_save stores for snapshot or document (JSON text), '
'given the chain of its base (NULL: none) or the base alone (no row when this backend does '
'not have its document), and the base it is a delta against (NULL: a keyframe). Errors: XX001 when '
'a frame of the chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_rebase(text, text[], bytea[], text[]) IS
'Internal: the frame the last checkpoint of a chain is re-encoded to once the checkpoints '
'in removed are gone, and its new base. Errors: XX001 when a frame of the chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_snapshot(text, text[], bytea[]) IS
'Internal: the complete snapshot of the last checkpoint of a chain. Errors: XX001 naming '
'the checkpoint when a frame of the chain is damaged.';
COMMENT ON FUNCTION pgmem_frame_raw_size(bytea) IS
'Internal: the CBOR size of the checkpoint a stored frame holds, read from its header. '
'Errors: XX001 for a damaged header.';
COMMENT ON FUNCTION pgmem_checkpoint_chain(text, text, text) IS
'Internal: the ids and frames of the chain of checkpoint checkpoint_id of session_id in '
'namespace checkpoint_ns, keyframe first (NULL arrays when there is no such checkpoint). '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_base(text, text, text, text) IS
'Internal: the base of a new checkpoint checkpoint_id of session_id in namespace '
'checkpoint_ns: parent_id when it is in the namespace, else the namespace''s latest other '
'checkpoint; NULL when there is none. Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_lock(text) IS
'Internal: the transaction-scoped advisory lock every writer of session_id takes first. '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_unlink(text, text, text[]) IS
'Internal: re-encode the checkpoints of session_id in namespace checkpoint_ns stored '
'against any of removed; returns how many. The caller holds pgmem_checkpoint_lock. '
'Errors: XX001 for damaged frames.';
COMMENT ON FUNCTION pgmem_checkpoint_remove(text, text, text[]) IS
'Internal: delete the checkpoints removed of session_id in namespace checkpoint_ns and '
'their pending writes after re-encoding what is stored against them; returns how many '
'were deleted. Errors: XX001 for damaged frames.';
COMMENT ON FUNCTION pgmem_checkpoint_superseded(text, text, timestamptz, text) IS
'Internal: whether namespace checkpoint_ns of session_id has a checkpoint newer than '
'(saved_at, checkpoint_id). '
'Errors: none.';

COMMENT ON TABLE pgmem_checkpoint_writes IS
'Pending writes: what the tasks of a step wrote, kept with the checkpoint the step '
'started from (LangGraph''s put_writes); primary key (session_id, checkpoint_ns, '
'checkpoint_id, task_id, idx). Deleted with their checkpoint. Dumped by pg_dump with the '
'extension.';
COMMENT ON COLUMN pgmem_checkpoint_writes.session_id IS
'The session of the checkpoint written against, 1 to 255 characters.';
COMMENT ON COLUMN pgmem_checkpoint_writes.checkpoint_ns IS
'The namespace of the checkpoint written against, 0 to 1024 characters.';
COMMENT ON COLUMN pgmem_checkpoint_writes.checkpoint_id IS
'The checkpoint written against (the one the step started from), which need not be saved '
'yet; 1 to 64 characters.';
COMMENT ON COLUMN pgmem_checkpoint_writes.task_id IS 'The task that wrote, 1 to 64 characters.';
COMMENT ON COLUMN pgmem_checkpoint_writes.idx IS
'The write''s index within its task; negative for special channels (errors, interrupts), '
'which a later write replaces.';
COMMENT ON COLUMN pgmem_checkpoint_writes.channel IS 'The channel written.';
COMMENT ON COLUMN pgmem_checkpoint_writes.task_path IS
'The task''s path; reads return writes in (task_path, task_id, idx) order.';
COMMENT ON COLUMN pgmem_checkpoint_writes.value_type IS
'The caller''s tag for how to read the value back (for LangGraph, the serializer''s type).';
COMMENT ON COLUMN pgmem_checkpoint_writes.value IS 'The value when it is JSON; else NULL.';
COMMENT ON COLUMN pgmem_checkpoint_writes.blob IS
'The value''s bytes when it is not JSON, not read by pgmem; else NULL.';
COMMENT ON INDEX pgmem_checkpoint_writes_pkey IS
'The primary key: a checkpoint''s writes in order, and the put''s conflict target.';
COMMENT ON FUNCTION pgmem_checkpoint_put_writes(text, text, text, text[], text[], text[], bytea[], integer[], text, text) IS
'Store the pending writes of task task_id against checkpoint checkpoint_id of session_id '
'in namespace checkpoint_ns, one element per write: channels, value_types, and for each '
'write either documents[i] (JSON text, stored as a pgmem_snapshot) or blobs[i] (bytes); '
'idx gives each write''s index (NULL: 0, 1, ...) and task_path the task''s path. A write '
'with a negative idx replaces the one with its key; any other is stored only when its '
'key is new; writes of one call count in order, as if given one at a time. The checkpoint '
'need not be saved yet. Returns how many rows were written. Errors: 22023 for an '
'identifier out of range, a NULL channels or task_path, arrays of other lengths than '
'channels, a write without a channel or value_type or with both or neither of document and '
'blob; the document''s input errors (22P02, 54000, ...).';
COMMENT ON FUNCTION pgmem_checkpoint_read(text, text, text, text, integer, jsonb) IS
'Checkpoints with their complete snapshots and pending writes, newest first, in one call: '
'LangGraph''s get_tuple (max_rows 1, the default) and list. session_id NULL reads every '
'session, checkpoint_ns NULL every namespace (default ''''); checkpoint_id picks one '
'checkpoint; before_id keeps only checkpoints older than it (none when it is unknown); '
'metadata_filter keeps rows whose metadata @> it. The write_* arrays hold the writes in '
'(task_path, task_id, idx) order, write_values[i] for JSON and write_blobs[i] for bytes. '
'Errors: 22023 for an identifier out of range or max_rows outside 1..10000; XX001 naming '
'the checkpoint when a frame of its chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_contents(text, text, text) IS
'Internal: the complete snapshot of checkpoint checkpoint_id of session_id in namespace '
'checkpoint_ns and its pending writes, as pgmem_checkpoint_read returns them. Errors: '
'XX001 naming the checkpoint when a frame of its chain is damaged.';
COMMENT ON FUNCTION pgmem_checkpoint_position(text, text, text) IS
'Internal: (saved_at, checkpoint_id) of a checkpoint, its place in the newest-first '
'order; with session_id or checkpoint_ns NULL, of the newest checkpoint with that id. '
'Errors: none.';
COMMENT ON FUNCTION pgmem_checkpoint_rows(text, text, text, text, integer, jsonb) IS
'Internal: the body of pgmem_checkpoint_read, whose arguments p_session_id, '
'p_checkpoint_ns, p_checkpoint_id, p_before_id, p_max_rows and p_metadata_filter are, and '
'whose result it returns. Errors: as pgmem_checkpoint_read.';
COMMENT ON FUNCTION pgmem_checkpoint_copy(text, text) IS
'Copy every checkpoint of source_session_id, in every namespace, and every pending write '
'into target_session_id: ids, parents, metadata, saved_at and stored frames as they are, '
'without compressing again. Returns how many checkpoints were copied (0 for an unknown '
'source). Errors: 22023 for an id out of range or the same session twice; 23505 when the '
'target has a checkpoint with the same namespace and id (nothing is copied).';
COMMENT ON FUNCTION pgmem_checkpoint_delete_by_metadata(jsonb[]) IS
'Delete, in every session, the checkpoints whose metadata @> any of metadata_filters, '
'with their pending writes, re-encoding what is stored against them (LangGraph''s '
'delete_for_runs: one {"run_id": ...} per run). Reads the whole table. Returns how many '
'were deleted. Errors: 22023 for NULL, or a filter that is not a JSON object with at least '
'one key.';
COMMENT ON FUNCTION pgmem_expiry_cutoff(interval) IS
'Internal: now() - older_than, for the retention functions. Errors: 22023 for older_than '
'NULL or negative.';

COMMENT ON TABLE pgmem_episodes IS
'Per-user records of past agent runs; primary key (user_id, episode_id). Written and read '
'through the pgmem_episode_* functions, which only ever touch the named user''s rows. '
'Dumped by pg_dump with the extension.';
COMMENT ON COLUMN pgmem_episodes.user_id IS 'The tenant, 1 to 255 characters.';
COMMENT ON COLUMN pgmem_episodes.episode_id IS
'Unique within the user, 1 to 64 characters; a UUIDv7 when generated.';
COMMENT ON COLUMN pgmem_episodes.content IS
'The text keyword and similarity search match, e.g. the task and its outcome.';
COMMENT ON COLUMN pgmem_episodes.metadata IS
'The caller''s jsonb (plan, trajectory, answer, tags), matched by metadata_filter.';
COMMENT ON COLUMN pgmem_episodes.inserted_at IS
'clock_timestamp() of the last store; orders search results and trimming.';
COMMENT ON COLUMN pgmem_episodes.terms IS
'The content''s terms for ranked search (pgmem_search_terms), set by a trigger whenever '
'content is written.';
COMMENT ON INDEX pgmem_episodes_keys IS
'GIN on pgmem_search_keys(user_id, terms): a user''s episodes holding a query term, from '
'posting lists of that user only.';
COMMENT ON FUNCTION pgmem_episodes_terms() IS
'Trigger: sets terms from content on every insert and on every update of content or '
'terms. Errors: none.';
COMMENT ON TABLE pgmem_episode_users IS
'Per user: how many episodes, and their summed length, for BM25. Kept by triggers on '
'pgmem_episodes; rows of users without episodes are deleted. Not dumped: restoring '
'the episodes counts them again.';
COMMENT ON COLUMN pgmem_episode_users.user_id IS 'The tenant.';
COMMENT ON COLUMN pgmem_episode_users.episodes IS 'The user''s episodes.';
COMMENT ON COLUMN pgmem_episode_users.length IS 'Their summed lengths (pgmem_search_length).';
COMMENT ON INDEX pgmem_episode_users_pkey IS 'One row per user.';
COMMENT ON TABLE pgmem_episode_lexemes IS
'Per user and lexeme: how many of the user''s episodes hold it, for BM25''s idf. Kept by '
'triggers on pgmem_episodes; counts that reach zero are deleted, so forgetting a user '
'leaves none of their words. Not dumped: restoring the episodes counts them again.';
COMMENT ON COLUMN pgmem_episode_lexemes.user_id IS 'The tenant.';
COMMENT ON COLUMN pgmem_episode_lexemes.lexeme IS 'A lexeme of the user''s episodes'' terms.';
COMMENT ON COLUMN pgmem_episode_lexemes.episodes IS 'How many of the user''s episodes hold it.';
COMMENT ON INDEX pgmem_episode_lexemes_pkey IS 'One row per (user_id, lexeme): a query''s terms'' counts.';
COMMENT ON FUNCTION pgmem_episode_count(text[], text[], bigint[], bigint[]) IS
'Internal: adds signed counts to the search statistics: for each i, episodes[i] to '
'(users[i], lexemes[i]), or, where lexemes[i] is NULL, episodes[i] and lengths[i] to the '
'user; rows that reach zero are deleted. Errors: none.';
COMMENT ON FUNCTION pgmem_episodes_count() IS
'Trigger: after each statement that inserts, updates or deletes episodes, counts the '
'changed rows'' terms into pgmem_episode_users and pgmem_episode_lexemes. Errors: none.';
COMMENT ON FUNCTION pgmem_episodes_count_truncate() IS
'Trigger: TRUNCATE of pgmem_episodes empties the search statistics too. Errors: none.';
COMMENT ON FUNCTION pgmem_episode_set_search_config(regconfig) IS
'Set the text search configuration of ranked search (e.g. ''simple'' for no stemming and '
'no stop words, or a language''s) and index every episode again with it; returns how many '
'episodes were indexed. Also rebuilds after a configuration''s dictionaries changed. Holds '
'a lock that blocks episode writes while it runs. Errors: 22023 for NULL config; 42501 '
'without the privileges to update the tables.';
COMMENT ON INDEX pgmem_episodes_newest IS
'A user''s episodes newest first: list, search and trimming.';
COMMENT ON INDEX pgmem_episodes_inserted_at IS
'All episodes oldest first: pgmem_episode_expire''s batches.';
COMMENT ON INDEX pgmem_episodes_pkey IS
'The primary key: one row per (user_id, episode_id), the upsert''s conflict target.';

COMMENT ON FUNCTION pgmem_episode_trim(text) IS
'Delete the oldest episodes of user_id beyond pgmem.max_episodes_per_user (0: keep all); '
'returns how many. The store functions call it; call it after lowering the setting. '
'Errors: 22023 for user_id NULL, empty or over 255 characters.';
COMMENT ON FUNCTION pgmem_episode_store(text, text, jsonb, text) IS
'Store content and metadata (NULL: {}) as an episode of user_id and return its id: upsert '
'on (user_id, episode_id), a UUIDv7 when episode_id is NULL, inserted_at = '
'clock_timestamp(); then trims the user to pgmem.max_episodes_per_user in the same '
'transaction, under a lock on user_id (pgmem_episode_lock), so that the cap holds under '
'concurrency. Errors: 22023 for user_id NULL, empty or over 255 characters, NULL content, '
'episode_id not 1..64 characters; 42501 for another user under pgmem_row_security.';
COMMENT ON FUNCTION pgmem_episode_store_many(text, text[], jsonb[], text[]) IS
'Store many episodes of user_id in one statement, all or nothing; returns how many. '
'metadata and episode_ids, when given, have one element per element of contents (NULL '
'elements: {} and a generated id). The last of contents is the newest. Rows are written '
'in episode_id order, so overlapping batches cannot deadlock. Errors: 22023 for '
'arrays of unequal length or more than one dimension, NULL contents or a NULL element of '
'it, a repeated episode id, and as pgmem_episode_store.';
COMMENT ON FUNCTION pgmem_episode_search(text, text, integer, jsonb) IS
'The episodes of user_id whose content contains query, ignoring case (ILIKE); %, _ and \ '
'in query are plain characters. Newest first, at most top_k; NULL or empty query: the '
'newest top_k. metadata_filter keeps rows whose metadata @> it. NULL or empty user_id '
'returns none. Errors: 22023 for top_k outside 1..10000, user_id over 255 characters, or '
'NULL or empty user_id with pgmem.on_missing_tenant = error.';
COMMENT ON FUNCTION pgmem_episode_similarity_search(text, text, integer) IS
'The episodes of user_id ranked by score, their BM25 score (k1 1.2, b 0.75; idf and '
'average length over that user''s episodes) for the distinct terms of query '
'(pgmem_search_terms: stemming and stop words of pgmem_search_config(), CJK as character '
'bigrams; of a query with more than 32 such terms, the 32 with the highest occurrences '
'in the query times idf); ties newest first; at most top_k; episodes holding no query '
'term are left out. Errors: as pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_episode_list(text, integer, timestamptz) IS
'The episodes of user_id newest first, at most max_rows, only those inserted before '
'"before" when it is given. Errors: 22023 for max_rows outside 1..10000, and for user_id '
'as pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_episode_delete(text, text) IS
'Delete episode episode_id of user_id; true when it existed. Another user''s episode is '
'never touched (false); NULL or empty user_id: false. Errors: 22023 for episode_id not '
'1..64 characters, and for user_id as pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_episode_forget(text) IS
'Erase every episode of user_id (right to erasure); returns how many. NULL or empty '
'user_id: 0. Errors: 22023 for user_id as pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_episode_expire(interval, integer) IS
'Retention across all users: delete episodes inserted before now() - older_than, oldest '
'first, at most max_rows per call (call again for the next batch); returns how many. '
'Errors: 22023 for older_than NULL or negative, max_rows outside 1..10000.';
COMMENT ON FUNCTION pgmem_episode_cap() IS
'Episodes kept per user in this session: pgmem.max_episodes_per_user, 0 for all. Errors: '
'42501 when a role that may not set it gave it at connection start, before pgmem was '
'loaded (PostgreSQL then loses the value set for the database or role).';
COMMENT ON FUNCTION pgmem_episode_lock(text) IS
'Internal: takes the transaction-level advisory lock on user_id (the key pair '
'hashtext(''pgmem_episodes''), hashtext(user_id)) that the store functions hold while they '
'insert and trim. Errors: none.';
COMMENT ON FUNCTION pgmem_row_security(boolean) IS
'Turn tenant isolation by row-level security on (enabled = true) or off; returns enabled. '
'On: roles other than the tables'' owner see and write only episodes whose user_id equals '
'the setting pgmem.user_id and checkpoints and pending writes whose session_id equals '
'pgmem.session_id, set '
'per transaction with set_config(..., true). pg_dump does not keep it: run it again '
'after a restore. Errors: 22023 for NULL enabled, 42501 for a caller that does not own '
'the tables.';

COMMENT ON TABLE pgmem_dictionaries IS
'Trained zstd compression dictionaries, by id (made from the bytes). Append-only: '
'snapshots compressed with a dictionary need it to be read. Dumped with the data. '
'Readable by every role; a dictionary holds fragments of its training documents.';
COMMENT ON COLUMN pgmem_dictionaries.id IS
'The dictionary''s id: pgmem_dictionary_id(dictionary), named in the header of every '
'snapshot compressed with it.';
COMMENT ON COLUMN pgmem_dictionaries.dictionary IS 'The zstd dictionary.';
COMMENT ON COLUMN pgmem_dictionaries.sample_count IS 'Snapshots it was trained from.';
COMMENT ON COLUMN pgmem_dictionaries.trained_at IS 'When it was trained.';
COMMENT ON INDEX pgmem_dictionaries_pkey IS 'A dictionary by id, as reading a snapshot needs it.';
COMMENT ON FUNCTION pgmem_dictionary_train(pgmem_snapshot[], integer) IS
'Train a zstd dictionary of at most max_bytes (1024..1048576, default 65536) from sample '
'snapshots (NULL elements skipped; a few hundred documents like those to be compressed), '
'keep it in pgmem_dictionaries and return its id; the same dictionary trained again '
'returns its existing id. New snapshots use it once pgmem.compression_dictionary is set '
'to the id. Errors: 22023 for NULL arguments, max_bytes out of range, samples zstd '
'cannot train from or over 256 MB of documents, 42501 without INSERT on '
'pgmem_dictionaries, XX001 for a damaged sample.';
COMMENT ON FUNCTION pgmem_dictionary_build(pgmem_snapshot[], integer) IS
'Internal: the dictionary pgmem_dictionary_train keeps, trained from the samples, at '
'most max_bytes long. '
'Errors: as pgmem_dictionary_train.';
COMMENT ON FUNCTION pgmem_dictionary_id(bytea) IS
'The id pgmem_dictionaries keeps a dictionary under: 31 bits of the XXH3-64 hash of its '
'bytes, never 0. Errors: none.';
COMMENT ON FUNCTION pgmem_snapshot_dictionary(pgmem_snapshot) IS
'Id of the dictionary a snapshot was compressed with, NULL for one compressed without; '
'read from the header alone. Errors: XX001 when the stored header is damaged.';
COMMENT ON FUNCTION pgmem_dictionaries_append_only() IS
'Internal: the trigger that keeps pgmem_dictionaries append-only. Errors: 55000 for any '
'UPDATE, DELETE or TRUNCATE.';
