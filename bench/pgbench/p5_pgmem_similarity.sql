-- P5, pgmem: similarity search for one user.
\set u random(1, :nusers)
SELECT * FROM pgmem_episode_similarity_search('user-' || :u, :term, 10);
