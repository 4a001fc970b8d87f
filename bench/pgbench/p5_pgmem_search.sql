-- P5, pgmem: keyword search for one user.
\set u random(1, :nusers)
SELECT * FROM pgmem_episode_search('user-' || :u, :term, 10);
