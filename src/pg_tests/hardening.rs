//! Hostile input and hostile callers: whatever pgmem accepts it can give back, numbers
//! are canonical, long conversions stop for a timeout, the episode cap is the
//! superuser's, and row-level security isolates tenants when it is turned on.
#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::{connect, rows, sqlstate_of, Raw};
    use pgmem_codec::{format::compress, UNINTERRUPTED};
    use pgrx::prelude::*;
    use postgres::error::SqlState;
    use std::time::{Duration, Instant};

    fn text_of(sql: &str) -> Option<String> {
        Spi::get_one::<String>(sql).expect("query ran")
    }

    #[pg_test]
    fn a_zero_with_an_exponent_jsonb_refuses_is_refused_and_stores_nothing() {
        let state = sqlstate_of("SELECT pgmem_checkpoint_save('s', '[0e2000000000]')");
        assert_eq!(state, "22003");
        assert_eq!(rows("pgmem_checkpoints"), 0);
    }

    #[pg_test]
    fn zeros_with_any_exponent_read_back_as_jsonb_has_them() {
        for doc in [
            r#"{"a": 0e1073741820}"#,
            "[0e1000000000, -0e-3, 0.00, -0.0e5]",
        ] {
            Spi::run_with_args(
                "SELECT pgmem_checkpoint_save('z', $1::text::pgmem_snapshot)",
                &[doc.into()],
            )
            .unwrap();
            let equal = Spi::get_one_with_args::<bool>(
                "SELECT snapshot::jsonb = $1::jsonb AND snapshot::text::jsonb = $1::jsonb
                 FROM pgmem_checkpoint_load('z')",
                &[doc.into()],
            );
            assert_eq!(equal, Ok(Some(true)), "{doc}");
        }
        let text = text_of("SELECT snapshot::text FROM pgmem_checkpoint_load('z')");
        assert_eq!(text.as_deref(), Some("[0,0.000,0.00,0]"));
    }

    #[pg_test]
    fn numbers_past_1000_digits_are_refused() {
        let digits = |n: usize| format!("SELECT ('[' || repeat('9', {n}) || ']')::pgmem_snapshot");
        assert_eq!(sqlstate_of(&digits(1000)), "00000");
        assert_eq!(sqlstate_of(&digits(1001)), "22003");
        // An integer's trailing zeros are not digits of its mantissa.
        let zeros = "('[7' || repeat('0', 5000) || ']')";
        let equal = text_of(&format!(
            "SELECT ({zeros}::pgmem_snapshot::jsonb = {zeros}::jsonb)::text"
        ));
        assert_eq!(equal.as_deref(), Some("true"));
    }

    #[pg_test]
    fn text_is_bounded_by_the_size_of_what_is_stored() {
        let nine = "SELECT ('[' || repeat('1e131071,', 8) || '1e131071]')::pgmem_snapshot";
        assert_eq!(sqlstate_of(nine), "54000");
        let ok = "SELECT ('[' || repeat('1e131071,', 7) || '1e131071]')::pgmem_snapshot";
        assert_eq!(sqlstate_of(ok), "00000");
        let bounded = Spi::get_one::<bool>(
            "SELECT bool_and(length(s::text) <= 8 * pgmem_snapshot_raw_size(s) + 1048576)
             FROM (SELECT ('[' || repeat('1e131071,', 7) || '1e131071]')::pgmem_snapshot
                   UNION ALL SELECT '[\"\\u0001\\u0002\", null, false, [], {}]'::pgmem_snapshot) AS t(s)",
        );
        assert_eq!(bounded, Ok(Some(true)));
    }

    /// The stored bytes of a CBOR document, without any of pgmem's checks.
    fn stored(cbor: &[u8]) -> Raw {
        Raw(compress(cbor, 3, UNINTERRUPTED).expect("compressed"))
    }

    #[pg_test]
    fn binary_input_must_write_numbers_canonically() {
        let mut client = connect();
        let mut big = vec![0x81, 0xc2, 0x5a, 0, 0, 0xd2, 0xf0];
        big.extend([0xff; 54_000]);
        let cases: [(&str, Vec<u8>, Option<SqlState>); 7] = [
            (
                "zero, exponent 2^40",
                vec![0x81, 0xc4, 0x82, 0x1b, 0, 0, 1, 0, 0, 0, 0, 0, 0],
                Some(SqlState::INVALID_BINARY_REPRESENTATION),
            ),
            (
                "zero, exponent 5",
                vec![0x81, 0xc4, 0x82, 0x05, 0x00],
                Some(SqlState::INVALID_BINARY_REPRESENTATION),
            ),
            (
                "bignum with a leading zero byte",
                [&[0x81, 0xc2, 0x4a, 0][..], &[1; 9]].concat(),
                Some(SqlState::INVALID_BINARY_REPRESENTATION),
            ),
            (
                "bignum that fits 64 bits",
                vec![0x81, 0xc2, 0x41, 0x05],
                Some(SqlState::INVALID_BINARY_REPRESENTATION),
            ),
            (
                "bignum of 54,000 bytes",
                big,
                Some(SqlState::NUMERIC_VALUE_OUT_OF_RANGE),
            ),
            (
                "zero with exponent 0",
                vec![0x81, 0xc4, 0x82, 0x00, 0x00],
                None,
            ),
            (
                "smallest double",
                [&[0x81, 0xfb][..], &1u64.to_be_bytes()].concat(),
                None,
            ),
        ];
        for (name, cbor, expected) in cases {
            let result = client.query_one("SELECT $1::pgmem_snapshot::text", &[&stored(&cbor)]);
            match expected {
                Some(code) => assert_eq!(result.unwrap_err().code(), Some(&code), "{name}"),
                None => assert!(result.is_ok(), "{name}: {result:?}"),
            }
        }
    }

    #[pg_test]
    fn printing_a_stored_bignum_payload_stops_at_statement_timeout() {
        // 40 bignums of 54 KB, as a version without the digit limit stored them: slow to
        // print (each is converted to decimal), and far smaller compressed.
        let mut cbor = vec![0x98, 40];
        for _ in 0..40 {
            cbor.extend([0xc2, 0x5a, 0, 0, 0xd2, 0xf0]);
            cbor.extend([0xff; 54_000]);
        }
        let payload = stored(&cbor).0;
        let mut client = connect();
        let mut tx = client.transaction().unwrap();
        tx.batch_execute(
            "CREATE CAST (bytea AS pgmem_snapshot) WITHOUT FUNCTION;
             CREATE TEMP TABLE legacy (s pgmem_snapshot);",
        )
        .unwrap();
        tx.execute(
            "INSERT INTO legacy VALUES ($1::bytea::pgmem_snapshot)",
            &[&payload],
        )
        .unwrap();
        tx.batch_execute("SET LOCAL statement_timeout = '1s'")
            .unwrap();
        let started = Instant::now();
        let err = tx.query_one("SELECT s::text FROM legacy", &[]).unwrap_err();
        let elapsed = started.elapsed();
        assert_eq!(err.code(), Some(&SqlState::QUERY_CANCELED));
        assert!(
            elapsed < Duration::from_secs(2),
            "cancelled after {elapsed:?}"
        );
        tx.rollback().unwrap();
        let one: i32 = client.query_one("SELECT 1", &[]).unwrap().get(0);
        assert_eq!(one, 1);
    }

    #[pg_test]
    fn functions_that_read_settings_are_stable() {
        let volatility = text_of(
            "SELECT string_agg(p.oid::regprocedure || ':' || p.provolatile::text, ' ' ORDER BY p.oid::regprocedure::text)
             FROM pg_proc p WHERE p.proname IN ('pgmem_snapshot_in', 'pgmem_snapshot_recv', 'pgmem_snapshot')",
        );
        assert_eq!(
            volatility.as_deref(),
            Some("pgmem_snapshot(json):s pgmem_snapshot(jsonb):s pgmem_snapshot_in(cstring):s pgmem_snapshot_recv(internal):s")
        );
    }

    #[pg_test]
    fn only_a_superuser_sets_the_episode_cap() {
        Spi::run("CREATE ROLE pgmem_capped; SET LOCAL ROLE pgmem_capped").unwrap();
        assert_eq!(sqlstate_of("SET pgmem.max_episodes_per_user = 0"), "42501");
        Spi::run("RESET ROLE").unwrap();
        assert_eq!(
            sqlstate_of("SET LOCAL pgmem.max_episodes_per_user = 2"),
            "00000"
        );
    }

    fn as_app(user_id: &str, session_id: &str) {
        Spi::run("SET LOCAL ROLE pgmem_app").unwrap();
        Spi::run_with_args(
            "SELECT set_config('pgmem.user_id', $1, true), set_config('pgmem.session_id', $2, true)",
            &[user_id.into(), session_id.into()],
        )
        .unwrap();
    }

    fn count(sql: &str) -> i64 {
        Spi::get_one::<i64>(sql).unwrap().unwrap_or(-1)
    }

    #[pg_test]
    fn row_security_isolates_tenants_when_on() {
        Spi::run(
            "CREATE ROLE pgmem_app;
             GRANT SELECT, INSERT, UPDATE, DELETE ON pgmem_episodes, pgmem_checkpoints,
                 pgmem_episode_users, pgmem_episode_lexemes TO pgmem_app;
             SELECT pgmem_episode_store('bob', 'bob flies to Oslo', '{}', 'b1');
             SELECT pgmem_checkpoint_save('s-bob', '{\"turn\": 1}');",
        )
        .unwrap();
        assert_eq!(
            text_of("SELECT pgmem_row_security(true)::text").as_deref(),
            Some("true")
        );
        as_app("alice", "s-alice");
        assert_eq!(count("SELECT count(*) FROM pgmem_episode_list('bob')"), 0);
        assert_eq!(
            count("SELECT count(*) FROM pgmem_episode_search('bob', 'Oslo')"),
            0
        );
        assert_eq!(
            text_of("SELECT pgmem_episode_delete('bob', 'b1')::text").as_deref(),
            Some("false")
        );
        assert_eq!(count("SELECT pgmem_episode_forget('bob')"), 0);
        assert_eq!(
            sqlstate_of("SELECT pgmem_episode_store('bob', 'forged')"),
            "42501"
        );
        assert_eq!(
            sqlstate_of("SELECT pgmem_episode_store('alice', 'mine')"),
            "00000"
        );
        assert_eq!(
            count("SELECT count(*) FROM pgmem_checkpoint_load('s-bob')"),
            0
        );
        assert_eq!(
            sqlstate_of("SELECT pgmem_checkpoint_save('s-bob', '{}')"),
            "42501"
        );
        assert_eq!(
            sqlstate_of("SELECT pgmem_checkpoint_save('s-alice', '{}')"),
            "00000"
        );
        assert_eq!(sqlstate_of("SELECT pgmem_row_security(false)"), "42501");
        Spi::run("RESET ROLE").unwrap();
        assert_eq!(rows("pgmem_episodes WHERE user_id = 'bob'"), 1);
        assert_eq!(rows("pgmem_checkpoints WHERE session_id = 's-bob'"), 1);
        Spi::run("SELECT pgmem_row_security(false)").unwrap();
        as_app("alice", "s-alice");
        assert_eq!(count("SELECT count(*) FROM pgmem_episode_list('bob')"), 1);
    }
}
