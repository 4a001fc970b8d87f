-- P10, pgmem_vector: vector search of one user's episodes for a stored query's embedding.
\set n random(1, :nqueries)
SELECT s.episode_id, s.score
FROM bench_vector_queries b, pgmem_episode_vector_search(:uid, b.e, 10) s
WHERE b.n = :n;
