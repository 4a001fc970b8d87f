//! Binary I/O: what a client sends is checked in full, and a value fetched in binary
//! and sent back is the same value.
#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::{rows, sqlstate_of};
    use pgrx::prelude::*;

    /// Feed `bytes` to `pgmem_snapshot_recv` through a binary COPY into `t_recv` (a bytea
    /// field in binary COPY is the raw bytes); returns the SQLSTATE.
    fn recv_sqlstate(bytes: &[u8]) -> String {
        let path = format!("/tmp/pgmem_recv_test_{}.bin", std::process::id());
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Spi::run(&format!(
            "COPY (SELECT '\\x{hex}'::bytea) TO '{path}' (FORMAT binary)"
        ))
        .unwrap();
        let sqlstate = sqlstate_of(&format!("COPY t_recv FROM '{path}' (FORMAT binary)"));
        // The backend wrote the file, so it can remove it.
        std::fs::remove_file(&path).expect("temporary COPY file removed");
        sqlstate
    }

    fn sent(json: &str) -> Vec<u8> {
        Spi::get_one_with_args::<Vec<u8>>(
            "SELECT pgmem_snapshot_send($1::text::pgmem_snapshot)",
            &[json.into()],
        )
        .unwrap()
        .unwrap()
    }

    #[pg_test]
    fn recv_accepts_what_send_gives() {
        Spi::run("CREATE TABLE t_recv (s pgmem_snapshot)").unwrap();
        let doc = r#"{"turn": 3, "price": 250.50, "text": "café ☕"}"#;
        assert_eq!(recv_sqlstate(&sent(doc)), "00000");
        let equal = Spi::get_one_with_args::<bool>(
            "SELECT s::jsonb = $1::jsonb FROM t_recv",
            &[doc.into()],
        );
        assert_eq!(equal, Ok(Some(true)));
    }

    /// Callers free what a send function returns (array_send, record_send do): send
    /// must hand out its own copy, stored values, toasted or not, staying intact.
    #[pg_test]
    fn send_inside_arrays_and_records_leaves_the_stored_value_whole() {
        Spi::run(
            "CREATE TABLE t_send AS SELECT ('{\"n\": ' || i || ', \"pad\": \"' || repeat('x', i * 400) || '\"}')::pgmem_snapshot s
             FROM generate_series(1, 30) i",
        )
        .unwrap();
        let whole = Spi::get_one::<bool>(
            "SELECT bool_and(length(array_send(ARRAY[s, s])) = 2 * length(pgmem_snapshot_send(s)) + 28
                             AND length(record_send(ROW(s, s))) = 2 * length(pgmem_snapshot_send(s)) + 20
                             AND (s::jsonb->>'n')::int = length(s::jsonb->>'pad') / 400)
             FROM t_send",
        );
        assert_eq!(whole, Ok(Some(true)));
    }

    #[pg_test]
    fn recv_refuses_damage_with_22p03_and_stores_nothing() {
        Spi::run("CREATE TABLE t_recv (s pgmem_snapshot)").unwrap();
        let good = sent(r#"{"messages": [{"role": "user", "content": "book a flight"}]}"#);
        let mut cases: Vec<(&str, Vec<u8>)> = vec![
            ("empty", vec![]),
            ("garbage", b"definitely not a snapshot".to_vec()),
            ("truncated", good[..good.len() - 3].to_vec()),
            ("header only", good[..9].to_vec()),
        ];
        let mut version = good.clone();
        version[3] = 9;
        cases.push(("wrong version", version));
        for at in [0, 5, 12, good.len() / 2, good.len() - 1] {
            let mut flipped = good.clone();
            flipped[at] ^= 0x04;
            cases.push(("bit flip", flipped));
        }
        for (name, bytes) in cases {
            assert_eq!(recv_sqlstate(&bytes), "22P03", "{name}");
        }
        assert_eq!(rows("t_recv"), 0);
    }

    #[pg_test]
    fn recv_refuses_claims_past_the_limit_with_54000() {
        Spi::run("CREATE TABLE t_recv (s pgmem_snapshot)").unwrap();
        let big = sent(&format!("[\"{}\"]", "z".repeat(100_000)));
        Spi::run("SET LOCAL pgmem.max_snapshot_bytes = '64kB'").unwrap();
        assert_eq!(recv_sqlstate(&big), "54000");
        assert_eq!(rows("t_recv"), 0);
    }

    use crate::pg_tests::{connect, Raw};
    use postgres::error::SqlState;

    #[pg_test]
    fn binary_round_trip_through_a_client() {
        let mut client = connect();
        let doc = crate::pg_tests::TAU_BENCH;
        // Results of the extended protocol come back in binary: the stored bytes.
        let fetched: Raw = client
            .query_one("SELECT $1::text::pgmem_snapshot", &[&doc])
            .unwrap()
            .get(0);
        assert_eq!(&fetched.0[..3], b"PGM");
        let equal: bool = client
            .query_one(
                "SELECT $1::pgmem_snapshot::jsonb = $2::text::jsonb",
                &[&fetched, &doc],
            )
            .unwrap()
            .get(0);
        assert!(equal);
        let again: Raw = client
            .query_one("SELECT $1::pgmem_snapshot", &[&fetched])
            .unwrap()
            .get(0);
        assert_eq!(again, fetched);
    }

    #[pg_test]
    fn bad_binary_parameters_fail_and_the_connection_lives_on() {
        let mut client = connect();
        let garbage = Raw(b"PGM\x01\x01\x00\x00\x00\x05not zstd".to_vec());
        let err = client
            .query_one("SELECT $1::pgmem_snapshot", &[&garbage])
            .unwrap_err();
        assert_eq!(err.code(), Some(&SqlState::INVALID_BINARY_REPRESENTATION));
        let one: i32 = client.query_one("SELECT 1", &[]).unwrap().get(0);
        assert_eq!(one, 1);
    }
}
