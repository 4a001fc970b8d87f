-- Ranked search as a user sees it (README, "Ranked search"): BM25 over the episodes'
-- full-text terms, per user.
SELECT pgmem_episode_store_many('rsearch',
    ARRAY['I need to change my flight from New York to Seattle on May 20',
          'Cancel my hotel reservation in Paris and refund the deposit',
          'The the the to to a a of of',
          'Return the laptop charger from order #W2378156',
          '我想预订去东京的机票',
          'ホテルの予約をキャンセルしたい'],
    episode_ids => ARRAY['flight', 'hotel', 'stopwords', 'return', 'zh', 'ja']);

-- Stop words count for nothing; stemming matches other forms of a word.
SELECT episode_id, round(score::numeric, 3) AS score
FROM pgmem_episode_similarity_search('rsearch', 'please change the flights to Seattle');
SELECT episode_id FROM pgmem_episode_similarity_search('rsearch', 'cancelled reservations');
SELECT count(*) AS only_stop_words FROM pgmem_episode_similarity_search('rsearch', 'the to a of');

-- Chinese and Japanese: text without spaces matches by character bigrams.
SELECT episode_id FROM pgmem_episode_similarity_search('rsearch', '东京机票');
SELECT episode_id FROM pgmem_episode_similarity_search('rsearch', '予約をキャンセル');

-- What is stored: the terms, and the per-user counts that idf comes from.
SELECT terms FROM pgmem_episodes WHERE user_id = 'rsearch' AND episode_id = 'return';
SELECT episodes, length FROM pgmem_episode_users WHERE user_id = 'rsearch';
SELECT lexeme, episodes FROM pgmem_episode_lexemes
WHERE user_id = 'rsearch' AND lexeme IN ('flight', 'seattl', 'the', '东京');

-- Another configuration for the whole database: 'simple' keeps every word as written.
SELECT pgmem_search_config();
SELECT pgmem_episode_set_search_config('simple') AS indexed;
SELECT episode_id FROM pgmem_episode_similarity_search('rsearch', 'the');
SELECT count(*) AS stemmed FROM pgmem_episode_similarity_search('rsearch', 'cancelled');
SELECT pgmem_episode_set_search_config(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT pgmem_episode_set_search_config('english') AS indexed;

-- Forgetting a user leaves none of their words behind.
SELECT pgmem_episode_forget('rsearch');
SELECT count(*) AS lexemes_left FROM pgmem_episode_lexemes WHERE user_id = 'rsearch';
SELECT count(*) AS users_left FROM pgmem_episode_users WHERE user_id = 'rsearch';

-- Users whose index tags collide (tenant-29898 and tenant-108962 share one) share
-- posting lists, and still see only their own episodes.
SELECT pgmem_search_keys('tenant-29898', 'flight') = pgmem_search_keys('tenant-108962', 'flight')
    AS tags_collide;
SELECT pgmem_episode_store('tenant-29898', 'Flight to Oslo on Monday', episode_id => 'oslo');
SELECT pgmem_episode_store('tenant-108962', 'Flight to Rome on Monday', episode_id => 'rome');
SELECT episode_id FROM pgmem_episode_similarity_search('tenant-29898', 'flight monday');
SELECT episode_id FROM pgmem_episode_similarity_search('tenant-108962', 'flight monday');
SELECT pgmem_episode_forget('tenant-29898') + pgmem_episode_forget('tenant-108962') AS forgotten;
-- A word too long for a tagged key is cut to fit, and still found.
SELECT pgmem_episode_store('long-words', repeat('x', 2045), episode_id => 'long');
SELECT episode_id FROM pgmem_episode_similarity_search('long-words', repeat('x', 2045));
SELECT pgmem_episode_forget('long-words');
