-- Embeddings stored with their episodes, checked, and deleted with them (README,
-- "Semantic search").
\set SHOW_CONTEXT never
SELECT pgmem_episode_store_embedded('ana', 'Booked a flight to Paris', '[1,0,0]', episode_id => 'flight');
SELECT pgmem_episode_store_many_embedded('ana',
    ARRAY['Rented a car in Seattle', 'Hotel in Rome', 'Train to Lyon'],
    ARRAY['[0,1,0]', '[0,0,1]', '[1,1,0]']::vector[],
    episode_ids => ARRAY['car', 'hotel', 'train']);
-- Generated ids pair each embedding with its own episode.
SELECT pgmem_episode_store_many_embedded('ana', ARRAY['first', 'second'],
                                         ARRAY['[3,0,1]', '[0,3,1]']::vector[]);
SELECT e.content, x.embedding FROM pgmem_episodes e
JOIN pgmem_episode_embeddings x USING (user_id, episode_id)
WHERE e.user_id = 'ana' AND e.content IN ('first', 'second') ORDER BY 1;
-- An episode stored without one gets one later; no such episode: false.
SELECT pgmem_episode_store('ana', 'Plain episode', episode_id => 'plain');
SELECT pgmem_episode_embed('ana', 'plain', '[0,1,1]');
SELECT pgmem_episode_embed('ana', 'missing', '[0,1,1]');
SELECT pgmem_episode_embed('bob', 'plain', '[0,1,1]') AS other_users_episode;
SELECT count(*) FROM pgmem_episode_embeddings WHERE user_id = 'ana';

-- Bad input: 22023 naming the argument, and nothing stored.
SELECT pgmem_episode_store_embedded('ana', 'zero', '[0,0,0]', episode_id => 'zero');
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_episode_store_embedded('ana', 'two dimensions', '[1,2]', episode_id => 'short');
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_episode_store_embedded('ana', 'no embedding', NULL, episode_id => 'null');
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_episode_store_many_embedded('ana', ARRAY['a', 'b'], ARRAY['[1,0,0]']::vector[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_episode_store_many_embedded('ana', ARRAY['a', 'b'], ARRAY['[1,0,0]', NULL]::vector[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_episode_store_many_embedded('ana', ARRAY['a'], NULL);
\echo :LAST_ERROR_SQLSTATE
-- One statement checks its own rows against each other too.
SELECT pgmem_episode_store_many_embedded('new-user', ARRAY['a', 'b'], ARRAY['[1,0]', '[1,0,0]']::vector[]);
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_episode_store_embedded(NULL, 'no user', '[1,0,0]');
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_episode_embed('ana', 'plain', '[0,0,0]');
\echo :LAST_ERROR_SQLSTATE
-- Direct writes are checked the same way.
INSERT INTO pgmem_episode_embeddings (user_id, episode_id, embedding) VALUES ('ana', 'plain', '[1,2]');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO pgmem_episode_embeddings (user_id, episode_id, embedding) VALUES ('ana', 'nope', '[1,2,3]');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS episodes, (SELECT count(*) FROM pgmem_episode_embeddings) AS embeddings
FROM pgmem_episodes;

-- Another model for a user: delete the user's embeddings first.
SELECT pgmem_episode_store_many_embedded('model', ARRAY['a'], ARRAY['[1,0]']::vector[]);
DELETE FROM pgmem_episode_embeddings WHERE user_id = 'model';
SELECT pgmem_episode_store_many_embedded('model', ARRAY['a'], ARRAY['[1,0,0,0]']::vector[]);

-- Changed content drops the embedding that described the old one; the same content
-- keeps it, and a store with an embedding replaces it.
SELECT pgmem_episode_store('ana', 'Rented a car in Seattle', episode_id => 'car');
SELECT pgmem_episode_store('ana', 'Hotel in Milan', episode_id => 'hotel');
SELECT episode_id FROM pgmem_episode_embeddings WHERE user_id = 'ana' AND episode_id IN ('car', 'hotel');
SELECT pgmem_episode_store_embedded('ana', 'Hotel in Venice', '[0,0.5,1]', episode_id => 'hotel');
SELECT embedding FROM pgmem_episode_embeddings WHERE user_id = 'ana' AND episode_id = 'hotel';

-- Deleted with their episode: delete, trim, forget, expire.
SELECT pgmem_episode_delete('ana', 'train');
SET pgmem.max_episodes_per_user = 3;
SELECT pgmem_episode_store_embedded('ana', 'newest', '[1,0,1]', episode_id => 'newest');
RESET pgmem.max_episodes_per_user;
SELECT e.episode_id, x.episode_id IS NOT NULL AS embedded FROM pgmem_episodes e
LEFT JOIN pgmem_episode_embeddings x USING (user_id, episode_id) WHERE e.user_id = 'ana' ORDER BY 1;
SELECT count(*) AS orphans FROM pgmem_episode_embeddings x
WHERE NOT EXISTS (SELECT FROM pgmem_episodes e WHERE (e.user_id, e.episode_id) = (x.user_id, x.episode_id));
SELECT pgmem_episode_forget('model');
SELECT pgmem_episode_expire('0 seconds');
SELECT count(*) AS embeddings_left FROM pgmem_episode_embeddings;
