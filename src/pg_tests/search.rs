//! Ranked episode search (README, "Ranked search"): BM25 over the full-text index,
//! exact top k, stop words and stemming, CJK bigrams, ties, isolation, the search
//! statistics the triggers keep, and hostile queries.
#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::{rows, sqlstate_of, store, Rng};
    use pgrx::prelude::*;

    fn ranked(user: &str, query: &str, k: i32) -> String {
        Spi::get_one_with_args::<String>(
            "SELECT coalesce(string_agg(episode_id, ','), '')
             FROM pgmem_episode_similarity_search($1, $2, $3)",
            &[user.into(), query.into(), k.into()],
        )
        .unwrap()
        .unwrap_or_default()
    }

    #[pg_test]
    fn stop_words_do_not_outrank_rare_terms() {
        store("alice", "to the of and a the to of it is", "stop");
        store("alice", "Book a flight to Seattle", "seattle");
        store("alice", "Book a flight to Boston", "boston");
        store("alice", "Book a table for two", "table");
        assert_eq!(
            ranked("alice", "the trip to the city of Seattle", 10),
            "seattle"
        );
        // Only stop words: nothing to match.
        assert_eq!(ranked("alice", "the to a", 10), "");
        // A rarer term weighs more than a common one.
        assert_eq!(
            ranked("alice", "book table", 10).split(',').next(),
            Some("table")
        );
    }

    #[pg_test]
    fn stemming_matches_word_forms() {
        store("alice", "Cancel my hotel reservation in Paris", "hotel");
        store("alice", "Book a flight", "flight");
        assert_eq!(ranked("alice", "cancelled reservations", 10), "hotel");
        assert_eq!(ranked("alice", "BOOKING flights", 10), "flight");
    }

    #[pg_test]
    fn chinese_and_japanese_match_by_bigrams() {
        store("alice", "我想预订去东京的机票", "zh-flight");
        store("alice", "请帮我取消酒店预订", "zh-hotel");
        store("alice", "東京大学への行き方を教えてください", "ja-tokyo");
        store("alice", "ホテルの予約をキャンセルしたい", "ja-hotel");
        store("alice", "Book a flight to 东京 next week", "mixed");
        assert_eq!(ranked("alice", "东京机票", 1), "zh-flight");
        assert_eq!(ranked("alice", "取消酒店", 10), "zh-hotel");
        assert_eq!(ranked("alice", "東京大学", 10), "ja-tokyo");
        assert_eq!(ranked("alice", "予約キャンセル", 10), "ja-hotel");
        assert!(ranked("alice", "flight 东京", 10).starts_with("mixed"));
    }

    #[pg_test]
    fn ties_come_newest_first_and_zero_scores_are_left_out() {
        for id in ["old", "mid", "new"] {
            store("alice", "rental car in Denver", id);
        }
        store("alice", "nothing in common", "other");
        assert_eq!(ranked("alice", "car rental Denver", 10), "new,mid,old");
        assert_eq!(ranked("alice", "car rental Denver", 2), "new,mid");
        // Storing again makes it the newest.
        store("alice", "rental car in Denver", "old");
        assert_eq!(ranked("alice", "car rental Denver", 10), "old,new,mid");
    }

    #[pg_test]
    fn only_the_users_own_episodes_and_statistics() {
        store("alice", "secret plan for Lisbon", "a1");
        store("alice", "flight to Rome", "a2");
        let before = Spi::get_one::<f32>(
            "SELECT score FROM pgmem_episode_similarity_search('alice', 'Lisbon plan')",
        )
        .unwrap();
        for i in 0..20 {
            store("bob", "Lisbon plan", &format!("b{i}"));
        }
        assert!(!ranked("bob", "secret plan Rome", 10).contains('a'));
        assert_eq!(ranked("alice", "Lisbon plan", 10), "a1");
        // Bob's episodes change nothing in Alice's scores: idf is per user.
        let after = Spi::get_one::<f32>(
            "SELECT score FROM pgmem_episode_similarity_search('alice', 'Lisbon plan')",
        )
        .unwrap();
        assert_eq!(before, after);
        assert_eq!(ranked("", "Lisbon", 10), "");
        Spi::run("SET LOCAL pgmem.on_missing_tenant = 'error'").unwrap();
        assert_eq!(
            sqlstate_of("SELECT * FROM pgmem_episode_similarity_search(NULL, 'x')"),
            "22023"
        );
    }

    #[pg_test]
    fn arguments_are_checked() {
        for k in [0, 10001, -1] {
            assert_eq!(
                sqlstate_of(&format!(
                    "SELECT * FROM pgmem_episode_similarity_search('a', 'x', {k})"
                )),
                "22023"
            );
        }
        assert_eq!(
            sqlstate_of("SELECT * FROM pgmem_episode_similarity_search('a', 'x', NULL)"),
            "22023"
        );
        store("alice", "anything", "e1");
        assert_eq!(ranked("alice", "", 10), "");
        assert_eq!(
            Spi::get_one::<i64>(
                "SELECT count(*) FROM pgmem_episode_similarity_search('alice', NULL)"
            )
            .unwrap(),
            Some(0)
        );
    }

    #[pg_test]
    fn hostile_queries_are_just_text() {
        store(
            "alice",
            r"it's 5 o'clock \ back\slash 'quoted' a:b & c | !d <-> e:*",
            "e1",
        );
        for query in [
            r"it's",
            r"back\slash",
            "'quoted'",
            "a:b & c | !d <-> e:*",
            "''''",
            r"\\\\",
            "(((",
            "&|!",
        ] {
            assert_eq!(
                sqlstate_of(&format!(
                    "SELECT * FROM pgmem_episode_similarity_search('alice', $q${query}$q$)"
                )),
                "00000",
                "{query}"
            );
        }
        assert_eq!(ranked("alice", r"back\slash", 10), "e1");
        assert_eq!(ranked("alice", "o'clock", 10), "e1");
        // Bytes that are not a query made by pgmem_bm25_query, and damage, are errors.
        assert_eq!(
            sqlstate_of("SELECT pgmem_bm25_score('a'::tsvector, '\\x00'::bytea)"),
            "22023"
        );
        assert_eq!(
            sqlstate_of("SELECT pgmem_bm25_match('\\x0102', 1, 'u')"),
            "22023"
        );
        assert_eq!(sqlstate_of("SELECT pgmem_bm25_bounds('\\x')"), "22023");
    }

    #[pg_test]
    fn a_long_query_finds_the_right_episode() {
        // Every episode holds the same 40 common words; one also holds the rare ones.
        let common: Vec<String> = (0..40).map(|i| format!("common{i}")).collect();
        for i in 0..50 {
            store("alice", &common.join(" "), &format!("e{i:02}"));
        }
        store(
            "alice",
            &format!("zanzibar itinerary {}", common[..5].join(" ")),
            "target",
        );
        // 2,000 words, 42 of them held by episodes: the query keeps its 32 most
        // significant terms (the rare words it repeats among them).
        let mut words: Vec<String> = (0..2000).map(|i| common[i % 40].clone()).collect();
        for i in 0..10 {
            words[i * 150] = "zanzibar".into();
            words[i * 150 + 1] = "itinerary".into();
        }
        let query = words.join(" ");
        assert_eq!(query.split(' ').count(), 2000);
        let top = ranked("alice", &query, 5);
        assert_eq!(top.split(',').next(), Some("target"));
        assert_eq!(top.split(',').count(), 5);
        // The query is one long sentence; a 2 MB query is cut at 256 KiB, not refused.
        let huge = "flight ".repeat(300_000);
        assert_eq!(
            sqlstate_of(&format!(
                "SELECT * FROM pgmem_episode_similarity_search('alice', '{huge}')"
            )),
            "00000"
        );
    }

    /// The reference: BM25 summed in SQL from the stored terms, over every episode.
    const REFERENCE: &str = "
        WITH s AS (SELECT episodes::float8 AS n, length::float8 / episodes AS avg
                   FROM pgmem_episode_users WHERE user_id = $1),
        q AS (SELECT l.lexeme, l.episodes::float8 AS df FROM pgmem_episode_lexemes l
              WHERE l.user_id = $1 AND l.lexeme = ANY (tsvector_to_array(pgmem_search_terms($2)))),
        d AS (SELECT e.episode_id, e.inserted_at, e.terms,
                     (SELECT sum(coalesce(cardinality(t.positions), 1)) FROM unnest(e.terms) t) AS len
              FROM pgmem_episodes e WHERE e.user_id = $1)
        SELECT d.episode_id, sum(ln(1 + (s.n - q.df + 0.5) / (q.df + 0.5))
                     * t.tf * 2.2 / (t.tf + 1.2 * (0.25 + 0.75 * d.len / s.avg)))::float8 AS score
        FROM s, d, LATERAL (SELECT u.lexeme, coalesce(cardinality(u.positions), 1) AS tf
                            FROM unnest(d.terms) u) t JOIN q ON q.lexeme = t.lexeme
        GROUP BY d.episode_id, d.inserted_at";

    #[pg_test]
    fn the_top_k_is_exactly_bm25s() {
        const WORDS: &[&str] = &[
            "flight", "hotel", "seattle", "boston", "refund", "cancel", "baggage", "the", "to",
            "order", "return", "laptop", "charger", "upgrade", "seat", "window", "aisle", "meal",
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..400 {
            let user = ["u1", "u2"][rng.below(2)];
            let len = 1 + rng.below(25);
            // Skewed: early words are common, later ones rare.
            let text: Vec<&str> = (0..len)
                .map(|_| {
                    let common = 1 + rng.below(WORDS.len());
                    WORDS[rng.below(common)]
                })
                .collect();
            store(user, &text.join(" "), &format!("e{i:03}"));
        }
        for _ in 0..60 {
            let user = ["u1", "u2"][rng.below(2)];
            let query: Vec<&str> = (0..1 + rng.below(6))
                .map(|_| WORDS[rng.below(WORDS.len())])
                .collect();
            let query = query.join(" ");
            let k = [1, 3, 10][rng.below(3)];
            let got: Vec<(String, f32)> = Spi::connect(|c| {
                c.select(
                    "SELECT episode_id, score FROM pgmem_episode_similarity_search($1, $2, $3)",
                    None,
                    &[user.into(), query.as_str().into(), k.into()],
                )
                .unwrap()
                .map(|r| {
                    (
                        r.get::<String>(1).unwrap().unwrap(),
                        r.get::<f32>(2).unwrap().unwrap(),
                    )
                })
                .collect()
            });
            let want: Vec<(String, f64)> = Spi::connect(|c| {
                c.select(
                    &format!("{REFERENCE} ORDER BY 2 DESC"),
                    None,
                    &[user.into(), query.as_str().into()],
                )
                .unwrap()
                .map(|r| {
                    (
                        r.get::<String>(1).unwrap().unwrap(),
                        r.get::<f64>(2).unwrap().unwrap(),
                    )
                })
                .collect()
            });
            assert_eq!(got.len(), want.len().min(k as usize), "{user} {query:?}");
            for (i, (id, score)) in got.iter().enumerate() {
                let reference = want.iter().find(|w| &w.0 == id).unwrap().1;
                assert!(
                    (f64::from(*score) - reference).abs() < 1e-4,
                    "{id}: {score} vs {reference}"
                );
                // The i-th best score, whichever of equal episodes holds it.
                assert!(
                    (f64::from(*score) - want[i].1).abs() < 1e-4,
                    "{query:?} rank {i}"
                );
            }
        }
    }

    /// The statistics always equal a count from scratch, through stores, upserts,
    /// trimming, deletes, direct DML and forgetting.
    #[pg_test]
    fn statistics_follow_every_change() {
        let check = || {
            let drift = Spi::get_one::<i64>(
                "SELECT count(*) FROM (
                   (SELECT user_id, lexeme, episodes FROM pgmem_episode_lexemes
                    EXCEPT ALL SELECT e.user_id, t.lexeme, count(*) FROM pgmem_episodes e, unnest(e.terms) t GROUP BY 1, 2)
                   UNION ALL
                   (SELECT e.user_id, t.lexeme, count(*) FROM pgmem_episodes e, unnest(e.terms) t GROUP BY 1, 2
                    EXCEPT ALL SELECT user_id, lexeme, episodes FROM pgmem_episode_lexemes)
                   UNION ALL
                   (SELECT user_id, NULL, episodes FROM pgmem_episode_users
                    EXCEPT ALL SELECT user_id, NULL, count(*) FROM pgmem_episodes GROUP BY 1)
                   UNION ALL
                   (SELECT user_id, NULL, count(*) FROM pgmem_episodes GROUP BY 1
                    EXCEPT ALL SELECT user_id, NULL, episodes FROM pgmem_episode_users)) x",
            )
            .unwrap();
            assert_eq!(drift, Some(0));
        };
        store("alice", "one two three", "a");
        store("alice", "two three four", "b");
        Spi::run("SELECT pgmem_episode_store_many('bob', ARRAY['x y', 'y z', 'x'])").unwrap();
        check();
        store("alice", "five six", "a");
        check();
        Spi::run("UPDATE pgmem_episodes SET metadata = '{\"k\": 1}' WHERE user_id = 'bob'")
            .unwrap();
        Spi::run("UPDATE pgmem_episodes SET content = 'seven' WHERE episode_id = 'b'").unwrap();
        check();
        Spi::run("SET LOCAL pgmem.max_episodes_per_user = 2").unwrap();
        store("bob", "newest", "n");
        check();
        Spi::run("SELECT pgmem_episode_delete('alice', 'a')").unwrap();
        Spi::run("DELETE FROM pgmem_episodes WHERE user_id = 'bob' AND content = 'newest'")
            .unwrap();
        check();
        Spi::run("SELECT pgmem_episode_forget('alice')").unwrap();
        check();
        assert_eq!(rows("pgmem_episode_lexemes WHERE user_id = 'alice'"), 0);
        assert_eq!(rows("pgmem_episode_users WHERE user_id = 'alice'"), 0);
        Spi::run("TRUNCATE pgmem_episodes").unwrap();
        assert_eq!(
            rows("pgmem_episode_lexemes") + rows("pgmem_episode_users"),
            0
        );
    }

    #[pg_test]
    fn the_configuration_is_chosen_and_applied_to_every_episode() {
        store("alice", "The running of the bulls", "e1");
        assert_eq!(ranked("alice", "run", 10), "e1");
        assert_eq!(ranked("alice", "the", 10), "");
        let indexed =
            Spi::get_one::<i64>("SELECT pgmem_episode_set_search_config('simple')").unwrap();
        assert_eq!(indexed, Some(1));
        assert_eq!(ranked("alice", "the", 10), "e1");
        assert_eq!(ranked("alice", "run", 10), "");
        assert_eq!(ranked("alice", "running", 10), "e1");
        assert_eq!(
            sqlstate_of("SELECT pgmem_episode_set_search_config(NULL)"),
            "22023"
        );
        Spi::run("SELECT pgmem_episode_set_search_config('english')").unwrap();
        assert_eq!(ranked("alice", "run", 10), "e1");
    }
}
