//! `pgmem_snapshot` in SQL: fidelity with jsonb, errors and their SQLSTATEs, sizes.
#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::{rows, sqlstate_of, TAU2_BENCH, TAU_BENCH, TOOLBENCH};
    use pgrx::prelude::*;

    fn all_equal_to_jsonb(query: &str, doc: &str) -> (i64, i64) {
        let counts = Spi::get_two_with_args::<i64, i64>(query, &[doc.into()]).expect("query ran");
        (counts.0.unwrap_or(0), counts.1.unwrap_or(0))
    }

    #[pg_test]
    fn every_trace_equals_its_jsonb() {
        // `json` keeps each run's original text, so each is cast exactly as written.
        let per_part = [
            (
                "SELECT count(*) FILTER (WHERE e::pgmem_snapshot::jsonb = e::jsonb), count(*) \
              FROM json_array_elements($1::json) e",
                TAU_BENCH,
            ),
            (
                "SELECT count(*) FILTER (WHERE e::pgmem_snapshot::jsonb = e::jsonb), count(*) \
              FROM json_array_elements($1::json -> 'simulations') e",
                TAU2_BENCH,
            ),
            (
                "SELECT count(*) FILTER (WHERE e.value::pgmem_snapshot::jsonb = e.value::jsonb), \
              count(*) FROM json_each($1::json) e",
                TOOLBENCH,
            ),
            (
                "SELECT count(*) FILTER (WHERE d::pgmem_snapshot::jsonb = d::jsonb), count(*) \
              FROM (SELECT $1::text AS d) whole",
                TAU_BENCH,
            ),
        ];
        for (query, doc) in per_part {
            let (equal, total) = all_equal_to_jsonb(query, doc);
            assert!(total > 0, "no documents in {query}");
            assert_eq!(equal, total, "{query}");
        }
    }

    #[pg_test]
    fn edge_cases_equal_their_jsonb() {
        let unequal = Spi::get_one::<i64>(
            r#"SELECT count(*) FROM (VALUES
                ('12345678901234567890123'), ('-12345678901234567890123'),
                ('0.1000000000000000055511151231257827'), ('1E400'), ('-0'), ('-0.0'),
                ('1.0'), ('1'), ('[1.0, 1]'), ('"\u00e9\ud83d\ude00 \" \\ \/ \b\f\n\r\t \u001f"'),
                ('"😀 é 中文"'), ('{}'), ('[]'), ('""'), ('null'), ('true'), ('false'), ('42'),
                ('"top-level string"'), ('{"a": 1, "b": 2, "a": 3}'),
                ('{"a": {"x": 1}, "a": [2]}'), ('1e131071'), ('1e-16383'),
                (repeat('[', 1000) || repeat(']', 1000)),
                (repeat('{"k":', 1000) || '0' || repeat('}', 1000))
               ) AS t(d)
               WHERE d::pgmem_snapshot::jsonb IS DISTINCT FROM d::jsonb"#,
        );
        assert_eq!(unequal, Ok(Some(0)));
    }

    /// jsonb is walked, not printed and parsed: the stored bytes must be the same.
    #[pg_test]
    fn jsonb_input_stores_what_its_text_stores() {
        let differing = |query: &str, doc: &str| {
            Spi::get_one_with_args::<i64>(query, &[doc.into()])
                .expect("query ran")
                .unwrap_or(-1)
        };
        let same = "pgmem_snapshot_send(d::pgmem_snapshot) IS DISTINCT FROM \
                    pgmem_snapshot_send(d::text::pgmem_snapshot)";
        let parts = [
            (format!("SELECT count(*) FROM jsonb_array_elements($1::jsonb) d WHERE {same}"), TAU_BENCH),
            (format!("SELECT count(*) FROM jsonb_array_elements($1::jsonb -> 'simulations') d WHERE {same}"), TAU2_BENCH),
            (format!("SELECT count(*) FROM (SELECT value AS d FROM jsonb_each($1::jsonb)) e WHERE {same}"), TOOLBENCH),
        ];
        for (query, doc) in &parts {
            assert_eq!(differing(query, doc), 0, "{query}");
        }
        let edge = format!(
            r#"SELECT count(*) FROM (SELECT t.d::jsonb AS d FROM (VALUES
                ('12345678901234567890123'), ('-1.50'), ('1E400'), ('-0'), ('1e-16383'),
                ('"\u00e9\ud83d\ude00 \" \\ \/ \b\f\n\r\t \u001f"'), ('{{}}'), ('[]'), ('""'),
                ('null'), ('true'), ('false'), ('[null, true, false, [], {{}}]'),
                ('{{"b": 1, "a": 2, "b": 3, "aa": {{"": 0}}}}'),
                (repeat('[', 10000) || repeat(']', 10000)), ($1)) AS t(d)) e WHERE {same}"#
        );
        assert_eq!(differing(&edge, "[1]"), 0);
        assert_eq!(
            sqlstate_of("SELECT (repeat('[', 10001) || repeat(']', 10001))::jsonb::pgmem_snapshot"),
            "54000"
        );
    }

    #[pg_test]
    fn output_keeps_key_order_and_number_text() {
        let text = Spi::get_one::<String>(
            r#"SELECT '{"z": 1.50, "a": [1E3, -0, 2.5e-3], "z": "last"}'::pgmem_snapshot::text"#,
        );
        assert_eq!(
            text,
            Ok(Some(r#"{"a":[1000,0,0.0025],"z":"last"}"#.to_string()))
        );
    }

    #[pg_test]
    fn storage_is_external() {
        assert_eq!(
            Spi::get_one::<String>(
                "SELECT typstorage::text FROM pg_type WHERE typname = 'pgmem_snapshot'"
            ),
            Ok(Some("e".into()))
        );
        Spi::run("CREATE TABLE t_storage (s pgmem_snapshot)").unwrap();
        assert_eq!(
            Spi::get_one::<String>(
                "SELECT attstorage::text FROM pg_attribute \
                 WHERE attrelid = 't_storage'::regclass AND attname = 's'"
            ),
            Ok(Some("e".into()))
        );
    }

    #[pg_test]
    fn bad_text_input_fails_with_its_sqlstate_and_stores_nothing() {
        Spi::run("CREATE TABLE t_bad (s pgmem_snapshot)").unwrap();
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let cases = [
            ("not json".to_string(), "22P02"),
            (r#"{"a": }"#.to_string(), "22P02"),
            ("".to_string(), "22P02"),
            (r#""\u0000""#.to_string(), "22P05"),
            ("1e131072".to_string(), "22003"),
            (deep, "54000"),
        ];
        for (input, sqlstate) in cases {
            let sql = format!(
                "INSERT INTO t_bad VALUES ({})",
                pgrx::spi::quote_literal(&input)
            );
            assert_eq!(sqlstate_of(&sql), sqlstate, "input {:.40}", input);
            let sql = format!(
                "SELECT {}::jsonb::pgmem_snapshot",
                pgrx::spi::quote_literal(&input)
            );
            let via_jsonb = sqlstate_of(&sql);
            assert_ne!(via_jsonb, "00000", "jsonb path accepted {:.40}", input);
        }
        assert_eq!(rows("t_bad"), 0);
    }

    #[pg_test]
    fn max_snapshot_bytes_limits_new_values_only() {
        Spi::run("CREATE TABLE t_limit (s pgmem_snapshot)").unwrap();
        Spi::run("INSERT INTO t_limit SELECT jsonb_build_object('x', repeat('a', 5000))").unwrap();
        Spi::run("SET LOCAL pgmem.max_snapshot_bytes = '4kB'").unwrap();
        let sql = "INSERT INTO t_limit SELECT jsonb_build_object('x', repeat('b', 5000))";
        assert_eq!(sqlstate_of(sql), "54000");
        // What was stored under a higher limit stays readable.
        assert_eq!(
            Spi::get_one::<i32>("SELECT length(s::jsonb->>'x') FROM t_limit"),
            Ok(Some(5000))
        );
        assert_eq!(rows("t_limit"), 1);
    }

    #[pg_test]
    fn compression_level_is_a_bounded_setting() {
        assert_eq!(sqlstate_of("SET pgmem.compression_level = 0"), "22023");
        assert_eq!(sqlstate_of("SET pgmem.compression_level = 20"), "22023");
        assert_eq!(sqlstate_of("SET pgmem.compresion_level = 3"), "42602");
        let size_at = |level: i32| {
            Spi::run(&format!("SET LOCAL pgmem.compression_level = {level}")).unwrap();
            Spi::get_one_with_args::<i32>(
                "SELECT pgmem_snapshot_stored_size($1::text::pgmem_snapshot)",
                &[crate::pg_tests::TAU_BENCH.into()],
            )
            .unwrap()
            .unwrap()
        };
        assert!(size_at(19) < size_at(1));
    }

    #[pg_test]
    fn sizes_come_from_the_header() {
        let (raw, stored) = Spi::get_two::<i32, i32>(
            r#"SELECT pgmem_snapshot_raw_size(s), pgmem_snapshot_stored_size(s)
               FROM (SELECT '{"a": [1, 2, 3]}'::pgmem_snapshot AS s) t"#,
        )
        .unwrap();
        // {"a": [1,2,3]} is 7 bytes of CBOR: a1 61 61 83 01 02 03.
        assert_eq!(raw, Some(7));
        let send =
            Spi::get_one::<i32>(r#"SELECT octet_length(pgmem_snapshot_send('{"a": [1, 2, 3]}'))"#);
        assert_eq!(send, Ok(stored));
    }

    #[pg_test]
    fn sizes_of_a_toasted_value_need_no_fetch() {
        Spi::run("CREATE TABLE t_toast (s pgmem_snapshot)").unwrap();
        Spi::run_with_args(
            "INSERT INTO t_toast VALUES ($1::text::pgmem_snapshot)",
            &[crate::pg_tests::TAU_BENCH.into()],
        )
        .unwrap();
        let (raw, stored, column) = Spi::get_three::<i32, i32, i32>(
            "SELECT pgmem_snapshot_raw_size(s), pgmem_snapshot_stored_size(s), \
             pg_column_size(s) FROM t_toast",
        )
        .unwrap();
        let (raw, stored, column) = (raw.unwrap(), stored.unwrap(), column.unwrap());
        assert!(
            stored > 2000,
            "the sample should be toasted: {stored} bytes"
        );
        assert!(raw > stored * 3, "raw {raw} vs stored {stored}");
        // Toasted out of line, pg_column_size is the external size without the varlena
        // header: exactly the stored bytes, so TOAST did not try to compress them.
        assert_eq!(column, stored);
    }

    #[pg_test]
    fn jsonb_and_json_cast_implicitly_and_back_explicitly() {
        let implicit = Spi::get_one::<i32>(
            r#"SELECT pgmem_snapshot_raw_size('{"a": 1}'::jsonb) + pgmem_snapshot_raw_size('[1]'::json)"#,
        );
        assert_eq!(implicit, Ok(Some(4 + 2)));
        let contexts = Spi::get_one::<String>(
            "SELECT string_agg(c, ' ' ORDER BY c) FROM ( \
               SELECT format('%s->%s:%s', castsource::regtype, casttarget::regtype, castcontext) \
               FROM pg_cast WHERE 'pgmem_snapshot'::regtype IN (castsource, casttarget)) casts(c)",
        );
        assert_eq!(
            contexts,
            Ok(Some(
                "json->pgmem_snapshot:i jsonb->pgmem_snapshot:i \
                 pgmem_snapshot->json:e pgmem_snapshot->jsonb:e"
                    .into()
            ))
        );
    }
}
