-- P9, pgmem: similarity search (BM25) of one user's episodes for a stored query.
\set n random(1, :nqueries)
SELECT s.episode_id, s.score
FROM bench_search_queries b, pgmem_episode_similarity_search(:uid, b.q, 10) s
WHERE b.kind = :kind AND b.n = :n;
