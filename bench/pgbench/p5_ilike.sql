-- P5 baseline: the hand-written search on the same indexes.
\set u random(1, :nusers)
SELECT episode_id, content, metadata, inserted_at FROM baseline_episodes
WHERE user_id = 'user-' || :u AND content ILIKE '%' || :term || '%'
ORDER BY inserted_at DESC LIMIT 10;
