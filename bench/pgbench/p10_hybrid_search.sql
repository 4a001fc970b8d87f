-- P10, pgmem_vector: hybrid search (BM25 and vector, fused) for a stored query and its
-- embedding.
\set n random(1, :nqueries)
SELECT s.episode_id, s.score
FROM bench_vector_queries b, pgmem_episode_hybrid_search(:uid, b.q, b.e, 10) s
WHERE b.n = :n;
