//! Episodic memory (README, "Episodic memory"): store, search, similarity search, list, delete,
//! forget; tenant isolation failing closed; trimming; batch stores.
#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::{rows, sqlstate_of, store};
    use pgrx::prelude::*;

    fn ids(sql: &str) -> String {
        Spi::get_one::<String>(&format!(
            "SELECT coalesce(string_agg(episode_id, ','), '') FROM ({sql}) r"
        ))
        .unwrap()
        .unwrap_or_default()
    }

    #[pg_test]
    fn store_generates_ids_and_upserts() {
        let id = Spi::get_one::<String>("SELECT pgmem_episode_store('alice', 'first')")
            .unwrap()
            .unwrap();
        assert_eq!(id.len(), 36);
        store("alice", "v1", "e1");
        Spi::run(r#"SELECT pgmem_episode_store('alice', 'v2', '{"tag": 2}', 'e1')"#).unwrap();
        assert_eq!(rows("pgmem_episodes"), 2);
        let (content, tag) = Spi::get_two::<String, String>(
            "SELECT content, metadata->>'tag' FROM pgmem_episodes WHERE episode_id = 'e1'",
        )
        .unwrap();
        assert_eq!(
            (content.as_deref(), tag.as_deref()),
            (Some("v2"), Some("2"))
        );
    }

    #[pg_test]
    fn search_is_a_literal_case_insensitive_substring() {
        store("alice", "Book a flight from JFK to SEA", "flight");
        store("alice", "discount 100% off", "percent");
        store("alice", "discount 1000 off", "thousand");
        store("alice", "user_id field", "underscore");
        store("alice", "userXid field", "lookalike");
        store("alice", r"path C:\temp\x", "backslash");
        store("alice", "path C:tempx", "plain");
        store("alice", "it's \"quoted\"", "quotes");
        store("alice", "Café crème", "accent");
        let search = |q: &str| {
            ids(&format!(
                "SELECT episode_id FROM pgmem_episode_search('alice', {}, 100) ORDER BY 1",
                pgrx::spi::quote_literal(q)
            ))
        };
        assert_eq!(search("flight FROM jfk"), "flight");
        assert_eq!(search("0%"), "percent");
        assert_eq!(search("r_i"), "underscore");
        assert_eq!(search(r"C:\temp"), "backslash");
        assert_eq!(search(r"\"), "backslash");
        assert_eq!(search("'s \"quoted"), "quotes");
        assert_eq!(search("café"), "accent");
        assert_eq!(search("%"), "percent");
        assert_eq!(search("_"), "underscore");
        assert_eq!(search("no such text"), "");
    }

    #[pg_test]
    fn empty_query_gives_the_newest_top_k() {
        for i in 1..=5 {
            store("alice", &format!("episode {i}"), &format!("e{i}"));
        }
        assert_eq!(
            ids("SELECT * FROM pgmem_episode_search('alice', '', 3)"),
            "e5,e4,e3"
        );
        assert_eq!(
            ids("SELECT * FROM pgmem_episode_search('alice', NULL, 2)"),
            "e5,e4"
        );
        assert_eq!(ids("SELECT * FROM pgmem_episode_list('alice', 2)"), "e5,e4");
        let before = Spi::get_one::<String>(
            "SELECT inserted_at::text FROM pgmem_episodes WHERE episode_id = 'e3'",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            ids(&format!(
                "SELECT * FROM pgmem_episode_list('alice', 10, '{before}')"
            )),
            "e2,e1"
        );
        Spi::run(r#"SELECT pgmem_episode_store('alice', 'episode 6', '{"kind": "x"}', 'e6')"#)
            .unwrap();
        assert_eq!(
            ids(
                r#"SELECT * FROM pgmem_episode_search('alice', 'episode', metadata_filter => '{"kind": "x"}')"#
            ),
            "e6"
        );
    }

    #[pg_test]
    fn missing_tenant_returns_nothing_by_default() {
        store("alice", "secret plan", "a1");
        for user in ["NULL", "''"] {
            for sql in [
                format!("SELECT * FROM pgmem_episode_search({user}, '')"),
                format!("SELECT * FROM pgmem_episode_similarity_search({user}, 'secret plan')"),
                format!("SELECT * FROM pgmem_episode_list({user})"),
            ] {
                assert_eq!(ids(&sql), "", "{sql}");
            }
            let deleted =
                Spi::get_one::<bool>(&format!("SELECT pgmem_episode_delete({user}, 'a1')"));
            assert_eq!(deleted, Ok(Some(false)));
            let forgotten = Spi::get_one::<i64>(&format!("SELECT pgmem_episode_forget({user})"));
            assert_eq!(forgotten, Ok(Some(0)));
        }
        assert_eq!(rows("pgmem_episodes"), 1);
    }

    #[pg_test]
    fn missing_tenant_raises_when_configured() {
        store("alice", "secret plan", "a1");
        Spi::run("SET LOCAL pgmem.on_missing_tenant = 'error'").unwrap();
        for user in ["NULL", "''"] {
            for sql in [
                format!("SELECT * FROM pgmem_episode_search({user}, '')"),
                format!("SELECT * FROM pgmem_episode_similarity_search({user}, 'plan')"),
                format!("SELECT * FROM pgmem_episode_list({user})"),
                format!("SELECT pgmem_episode_delete({user}, 'a1')"),
                format!("SELECT pgmem_episode_forget({user})"),
            ] {
                assert_eq!(sqlstate_of(&sql), "22023", "{sql}");
            }
        }
        assert_eq!(
            sqlstate_of("SET pgmem.on_missing_tenant = 'maybe'"),
            "22023"
        );
        assert_eq!(rows("pgmem_episodes"), 1);
    }

    #[pg_test]
    fn no_function_touches_another_users_rows() {
        store("alice", "alice books a flight", "shared-id");
        store("bob", "bob books a flight", "bob-only");
        assert_eq!(
            Spi::get_one::<bool>("SELECT pgmem_episode_delete('bob', 'shared-id')"),
            Ok(Some(false))
        );
        assert_eq!(
            ids("SELECT * FROM pgmem_episode_search('bob', 'alice')"),
            ""
        );
        assert_eq!(
            ids("SELECT * FROM pgmem_episode_similarity_search('bob', 'books flight')"),
            "bob-only"
        );
        assert_eq!(ids("SELECT * FROM pgmem_episode_list('bob')"), "bob-only");
        assert_eq!(
            Spi::get_one::<i64>("SELECT pgmem_episode_forget('bob')"),
            Ok(Some(1))
        );
        assert_eq!(
            ids("SELECT * FROM pgmem_episode_list('alice')"),
            "shared-id"
        );
        assert_eq!(
            Spi::get_one::<bool>("SELECT pgmem_episode_delete('alice', 'shared-id')"),
            Ok(Some(true))
        );
    }

    #[pg_test]
    fn writes_without_a_user_always_fail() {
        for sql in [
            "SELECT pgmem_episode_store(NULL, 'x')",
            "SELECT pgmem_episode_store('', 'x')",
            "SELECT pgmem_episode_store_many('', ARRAY['x'])",
        ] {
            assert_eq!(sqlstate_of(sql), "22023", "{sql}");
        }
        assert_eq!(rows("pgmem_episodes"), 0);
    }

    #[pg_test]
    fn max_episodes_per_user_trims_the_oldest() {
        Spi::run("SET LOCAL pgmem.max_episodes_per_user = 3").unwrap();
        for i in 1..=5 {
            store("alice", &format!("episode {i}"), &format!("e{i}"));
        }
        store("bob", "bob's only", "b1");
        assert_eq!(ids("SELECT * FROM pgmem_episode_list('alice')"), "e5,e4,e3");
        Spi::run("SELECT pgmem_episode_store_many('alice', ARRAY['six', 'seven'], episode_ids => ARRAY['e6', 'e7'])")
            .unwrap();
        assert_eq!(ids("SELECT * FROM pgmem_episode_list('alice')"), "e7,e6,e5");
        assert_eq!(ids("SELECT * FROM pgmem_episode_list('bob')"), "b1");
        Spi::run("SET LOCAL pgmem.max_episodes_per_user = 0").unwrap();
        store("alice", "eight", "e8");
        assert_eq!(rows("pgmem_episodes WHERE user_id = 'alice'"), 4);
    }

    #[pg_test]
    fn store_many_is_all_or_nothing() {
        let stored = Spi::get_one::<i64>(
            r#"SELECT pgmem_episode_store_many('alice', ARRAY['one', 'two', 'three'],
                   ARRAY['{"n": 1}', NULL, '{"n": 3}']::jsonb[], ARRAY['a', NULL, 'c'])"#,
        );
        assert_eq!(stored, Ok(Some(3)));
        assert_eq!(ids("SELECT * FROM pgmem_episode_list('alice', 1)"), "c");
        assert_eq!(
            Spi::get_one::<String>(
                "SELECT metadata::text FROM pgmem_episodes WHERE content = 'two'"
            ),
            Ok(Some("{}".into()))
        );
        let failing = [
            "SELECT pgmem_episode_store_many('bob', ARRAY['x', 'y'], ARRAY['{}']::jsonb[])",
            "SELECT pgmem_episode_store_many('bob', ARRAY['x', 'y'], episode_ids => ARRAY['i'])",
            "SELECT pgmem_episode_store_many('bob', ARRAY['x', NULL])",
            "SELECT pgmem_episode_store_many('bob', ARRAY['x', 'y'], episode_ids => ARRAY['i', 'i'])",
            "SELECT pgmem_episode_store_many('bob', ARRAY['x', 'y'], episode_ids => ARRAY['i', ''])",
            "SELECT pgmem_episode_store_many('bob', ARRAY[['x'], ['y']])",
            "SELECT pgmem_episode_store_many('bob', NULL)",
        ];
        for sql in failing {
            assert_eq!(sqlstate_of(sql), "22023", "{sql}");
        }
        assert_eq!(rows("pgmem_episodes WHERE user_id = 'bob'"), 0);
        assert_eq!(
            Spi::get_one::<i64>("SELECT pgmem_episode_store_many('bob', '{}')"),
            Ok(Some(0))
        );
    }

    #[pg_test]
    fn row_limits_are_checked() {
        for sql in [
            "SELECT * FROM pgmem_episode_search('alice', 'x', 0)",
            "SELECT * FROM pgmem_episode_search('alice', 'x', 10001)",
            "SELECT * FROM pgmem_episode_similarity_search('alice', 'x', 0)",
            "SELECT * FROM pgmem_episode_list('alice', 10001)",
            "SELECT * FROM pgmem_episode_list('alice', NULL)",
        ] {
            assert_eq!(sqlstate_of(sql), "22023", "{sql}");
        }
    }

    #[pg_test]
    fn episode_reads_are_stable_and_parallel_safe() {
        let kinds = Spi::get_one::<String>(
            "SELECT string_agg(proname || ':' || provolatile::text || proparallel::text, ' ' ORDER BY proname)
             FROM pg_proc WHERE proname IN ('pgmem_episode_search', 'pgmem_episode_similarity_search', 'pgmem_episode_list')",
        )
        .unwrap();
        assert_eq!(
            kinds.as_deref(),
            Some(
                "pgmem_episode_list:ss pgmem_episode_search:ss pgmem_episode_similarity_search:ss"
            )
        );
    }

    /// A small deterministic generator, so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        fn text(&mut self, len: usize) -> String {
            // ASCII letters of both cases, and characters that are special to LIKE, to
            // SQL and beyond ASCII (kept lowercase so case folding cannot depend on locale).
            const PIECES: &[&str] = &[
                "a", "B", "c", "D", "e", "%", "_", "\\", "'", "\"", " ", "é", "中", "ab", "AB",
            ];
            (0..len).map(|_| PIECES[self.next(PIECES.len())]).collect()
        }
    }

    /// The reference: ASCII case folded, then a plain substring test.
    fn reference_matches(content: &str, query: &str) -> bool {
        content
            .to_ascii_lowercase()
            .contains(&query.to_ascii_lowercase())
    }

    #[pg_test]
    fn search_agrees_with_a_reference_on_random_data() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let users = ["u1", "u2", "u3"];
        let mut episodes: Vec<(String, String, String)> = Vec::new();
        for i in 0..150 {
            let user = users[rng.next(users.len())];
            let len = 1 + rng.next(12);
            let content = rng.text(len);
            store(user, &content, &format!("e{i:03}"));
            episodes.push((user.to_string(), format!("e{i:03}"), content));
        }
        for _ in 0..200 {
            let user = users[rng.next(users.len())];
            let len = rng.next(4);
            let query = rng.text(len);
            let got = Spi::get_one_with_args::<String>(
                "SELECT coalesce(string_agg(episode_id, ',' ORDER BY episode_id), '')
                 FROM pgmem_episode_search($1, $2, 10000)",
                &[user.into(), query.as_str().into()],
            )
            .unwrap()
            .unwrap_or_default();
            let mut want: Vec<&str> = episodes
                .iter()
                .filter(|(u, _, c)| u == user && reference_matches(c, &query))
                .map(|(_, id, _)| id.as_str())
                .collect();
            want.sort();
            assert_eq!(got, want.join(","), "user {user}, query {query:?}");
        }
    }
}
