-- P9 baseline: the hand-written full-text search on pgmem's terms column and GIN index,
-- any word of the query (its tsquery stored as text, cast once), ranked by ts_rank_cd,
-- ties newest first.
\set n random(1, :nqueries)
SELECT e.episode_id, ts_rank_cd(e.terms, w.q) AS score
FROM bench_search_queries b, LATERAL (SELECT b.tsq::tsquery AS q OFFSET 0) w
JOIN pgmem_episodes e ON e.terms @@ w.q
WHERE b.kind = :kind AND b.n = :n AND e.user_id = :uid
ORDER BY score DESC, e.inserted_at DESC, e.episode_id DESC LIMIT 10;
