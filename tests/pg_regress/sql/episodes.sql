-- Episodic memory as a user sees it (README, "Episodic memory").

SELECT pgmem_episode_store('alice', 'Book a flight from JFK to SEA',
                           '{"final_answer": "Booked HAT136", "tags": ["flight"]}', 'a-1');
SELECT pgmem_episode_store('alice', 'Cancel reservation 100% refundable_fare', '{}', 'a-2');
SELECT pgmem_episode_store('alice', 'Change seat on C:\trips\sea', '{"tags": ["seat"]}', 'a-3');
SELECT pgmem_episode_store_many('bob', ARRAY['Book a hotel in SEA', 'Rent a car at JFK'],
                                episode_ids => ARRAY['b-1', 'b-2']);

-- Keyword search: case-insensitive substring; %, _ and \ are plain characters.
SELECT episode_id, content FROM pgmem_episode_search('alice', 'FLIGHT from');
SELECT episode_id, content FROM pgmem_episode_search('alice', '100%');
SELECT episode_id, content FROM pgmem_episode_search('alice', 'e_f');
SELECT episode_id, content FROM pgmem_episode_search('alice', 'C:\trips');
SELECT episode_id FROM pgmem_episode_search('alice', '', 2) AS newest_two;
SELECT episode_id FROM pgmem_episode_search('alice', '', metadata_filter => '{"tags": ["seat"]}');

-- Similarity search: ranked by BM25 (search.sql shows more); the whole-sentence ILIKE
-- of the library pgmem replaces finds nothing for the same question.
SELECT episode_id, content, score
FROM pgmem_episode_similarity_search('alice', 'please book me a flight to SEA');
SELECT count(*) AS ilike_of_the_sentence FROM pgmem_episode_search('alice', 'please book me a flight to SEA');

-- Only the named user's rows, ever.
SELECT episode_id FROM pgmem_episode_similarity_search('bob', 'please book me a flight to SEA');
SELECT pgmem_episode_delete('bob', 'a-1') AS bob_deletes_alices;
SELECT count(*) AS rows_for_null_user FROM pgmem_episode_search(NULL, '');
SELECT count(*) AS rows_for_empty_user FROM pgmem_episode_list('');
SET pgmem.on_missing_tenant = 'error';
SELECT * FROM pgmem_episode_search('', 'flight');
\echo :LAST_ERROR_SQLSTATE
RESET pgmem.on_missing_tenant;

-- Batches are all or nothing.
SELECT pgmem_episode_store_many('carol', ARRAY['one', 'two'], ARRAY['{}']::jsonb[]);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS carol_rows FROM pgmem_episode_list('carol');

-- Bounds.
SELECT * FROM pgmem_episode_search('alice', 'x', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM pgmem_episode_list('alice', 10001);
\echo :LAST_ERROR_SQLSTATE

-- Retention: keep each user's newest N, in the storing transaction.
SET pgmem.max_episodes_per_user = 2;
SELECT pgmem_episode_store('alice', 'Upgrade to business class', '{}', 'a-4');
SELECT episode_id FROM pgmem_episode_list('alice');
RESET pgmem.max_episodes_per_user;

-- Plan: list reads the user's newest-first index, no sort.
EXPLAIN (COSTS OFF) SELECT * FROM pgmem_episode_list('alice');

-- Delete, forget.
SELECT pgmem_episode_delete('alice', 'a-4') AS deleted;
SELECT pgmem_episode_forget('bob') AS forgotten;
SELECT user_id, count(*) FROM pgmem_episodes GROUP BY 1 ORDER BY 1;
