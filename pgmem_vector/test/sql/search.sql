-- Vector and hybrid search as a user sees it (README, "Semantic search").
\set SHOW_CONTEXT never
SELECT pgmem_episode_store_many_embedded('carla',
    ARRAY['I need to change my flight from New York to Seattle',
          'Cancel my hotel reservation in Paris',
          'Return the laptop charger from my last order',
          'Book a table for two at an Italian restaurant'],
    ARRAY['[0.9,0.1,0,0]', '[0.1,0.9,0.1,0]', '[0,0.1,0.9,0.2]', '[0,0,0.2,0.9]']::vector[],
    episode_ids => ARRAY['flight', 'hotel', 'charger', 'dinner']);
SELECT pgmem_episode_store_many_embedded('dan', ARRAY['Dan''s flight to Seattle'],
    ARRAY['[0.9,0.1,0,0]']::vector[], episode_ids => ARRAY['dan-flight']);

-- Cosine similarity, nearest first; only the user's own episodes.
SELECT episode_id, round(score::numeric, 4) AS score
FROM pgmem_episode_vector_search('carla', '[1,0.2,0,0]');
SELECT episode_id FROM pgmem_episode_vector_search('carla', '[0,0,0.1,1]', 2);
SELECT episode_id FROM pgmem_episode_vector_search('dan', '[0,0,0.1,1]');
SELECT count(*) AS nobody FROM pgmem_episode_vector_search('erin', '[0,0,0.1,1]');

-- Hybrid: reciprocal rank fusion of BM25 and vector ranks. The words find only the
-- hotel; the embedding ranks the charger first and the hotel third: the hotel, found
-- by both, comes first.
SELECT episode_id, round(score::numeric, 5) AS score
FROM pgmem_episode_hybrid_search('carla', 'cancel the hotel', '[0,0.1,0.9,0.1]');
-- Weights move the balance; a weight of 0 or a NULL side leaves that ranking out.
SELECT episode_id FROM pgmem_episode_hybrid_search('carla', 'cancel the hotel', '[0,0.1,0.9,0.1]', 1,
                                                   lexical_weight => 1, vector_weight => 2);
SELECT episode_id FROM pgmem_episode_hybrid_search('carla', 'cancel the hotel', '[0,0.1,0.9,0.1]', 10,
                                                   vector_weight => 0);
SELECT episode_id FROM pgmem_episode_hybrid_search('carla', NULL, '[0,0.1,0.9,0.1]', 2);
SELECT episode_id FROM pgmem_episode_hybrid_search('carla', 'restaurant', NULL);
SELECT episode_id FROM pgmem_episode_hybrid_search('dan', 'hotel restaurant charger', '[0,0,1,0]');

-- Fails closed without a user; bad arguments raise 22023.
SELECT count(*) FROM pgmem_episode_vector_search(NULL, '[1,0,0,0]');
SELECT count(*) FROM pgmem_episode_hybrid_search('', 'flight', '[1,0,0,0]');
SET pgmem.on_missing_tenant = 'error';
SELECT count(*) FROM pgmem_episode_vector_search(NULL, '[1,0,0,0]');
\echo :LAST_ERROR_SQLSTATE
RESET pgmem.on_missing_tenant;
SELECT count(*) FROM pgmem_episode_vector_search('carla', '[1,0,0]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pgmem_episode_vector_search('carla', '[0,0,0,0]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pgmem_episode_vector_search('carla', '[1,0,0,0]', 0);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pgmem_episode_hybrid_search('carla', 'flight', '[1,0,0,0]', lexical_weight => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pgmem_episode_hybrid_search('carla', 'flight', '[1,0,0,0]',
                                                 lexical_weight => 0, vector_weight => 0);
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM pgmem_episode_hybrid_search('carla', 'flight', '[1,0,0,0]', vector_weight => 'NaN');
\echo :LAST_ERROR_SQLSTATE

-- A heavy user's own HNSW index: a partial index over that user's rows only.
SELECT setseed(0.25);
SELECT pgmem_episode_store_many_embedded('heavy', array_agg('episode ' || i ORDER BY i),
    array_agg(('[' || (SELECT string_agg((random() - 0.5)::text, ',') FROM generate_series(1, 8)
                       WHERE i > 0) || ']')::vector ORDER BY i),
    episode_ids => array_agg('h' || i ORDER BY i))
FROM generate_series(1, 500) i;
SELECT pgmem_episode_vector_index('heavy');
SELECT pgmem_episode_vector_index('heavy') AS again;
SELECT count(*) FILTER (WHERE graph IS NOT NULL) AS heavy_indexed,
       count(*) FILTER (WHERE graph IS NULL) AS others_not
FROM pgmem_episode_embeddings;
SELECT pg_get_indexdef('pgmem_episode_embeddings_hnsw_1'::regclass);
-- New episodes of the user join the index.
SELECT pgmem_episode_store_embedded('heavy', 'late', '[1,1,1,1,1,1,1,1]', episode_id => 'late');
SELECT graph FROM pgmem_episode_embeddings WHERE user_id = 'heavy' AND episode_id = 'late';
SELECT pgmem_episode_store_embedded('heavy', 'wrong model', '[1,1,1]');
\echo :LAST_ERROR_SQLSTATE
-- Searches read it (its scan count grows) and agree with exact search.
SELECT pg_stat_force_next_flush();
CREATE TEMP TABLE scans AS
SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'pgmem_episode_embeddings_hnsw_1';
SELECT episode_id, round(score::numeric, 4) FROM pgmem_episode_vector_search('heavy', '[1,1,1,1,1,1,1,1]', 1);
SELECT count(*) FROM pgmem_episode_hybrid_search('heavy', 'episode', '[1,1,1,1,1,1,1,1]');
SELECT pg_stat_force_next_flush();
SELECT s.idx_scan - t.idx_scan AS index_scans
FROM pg_stat_user_indexes s, scans t WHERE s.indexrelname = 'pgmem_episode_embeddings_hnsw_1';
SELECT avg((SELECT count(*) FROM pgmem_episode_vector_search('heavy', q.embedding, 10) a
            JOIN pgmem_vector_exact('heavy', q.embedding, 10) b USING (episode_id))) / 10 >= 0.9
       AS recall_at_10_over_90_percent
FROM (SELECT embedding FROM pgmem_episode_embeddings WHERE user_id = 'heavy' ORDER BY episode_id LIMIT 20) q;
-- Only the user's own episodes come out of it, however many are asked for.
SELECT count(*) AS found, count(*) FILTER (WHERE episode_id !~ '^(h[0-9]+|late)$') AS others
FROM pgmem_episode_vector_search('heavy', '[1,1,1,1,1,1,1,1]', 400);
-- The search raises hnsw.ef_search for its own scan only: the caller's value stays.
SELECT count(*) FROM pgmem_episode_vector_search('heavy', '[1,1,1,1,1,1,1,1]', 10);
SELECT current_setting('hnsw.ef_search') AS ef_search_default;
BEGIN;
SET LOCAL hnsw.ef_search = 250;
SELECT count(*) FROM pgmem_episode_vector_search('heavy', '[1,1,1,1,1,1,1,1]', 10);
SELECT current_setting('hnsw.ef_search') AS ef_search_set;
COMMIT;
-- Unindexed: exact again, and the index is gone.
SELECT pgmem_episode_vector_unindex('heavy');
SELECT pgmem_episode_vector_unindex('heavy') AS again;
SELECT to_regclass('pgmem_episode_embeddings_hnsw_1') AS index;
SELECT episode_id FROM pgmem_episode_vector_search('heavy', '[1,1,1,1,1,1,1,1]', 1);
SELECT pgmem_episode_vector_index('nobody');
\echo :LAST_ERROR_SQLSTATE
-- A forgotten user's index is dropped by the next index call.
SELECT pgmem_episode_vector_index('heavy');
SELECT pgmem_episode_forget('heavy');
SELECT pgmem_episode_vector_index('carla');
SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'pgmem_episode_embeddings'::regclass ORDER BY 1;
SELECT pgmem_episode_vector_unindex('carla');
