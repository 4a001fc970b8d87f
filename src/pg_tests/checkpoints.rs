//! Checkpoints (README, "Checkpoints"): save, load, list, delete; validation; isolation from
//! the caller's search_path.
#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::{rows, sqlstate_of};
    use pgrx::prelude::*;

    fn save(session: &str, json: &str, id: Option<&str>) -> String {
        Spi::get_one_with_args::<String>(
            "SELECT pgmem_checkpoint_save($1, $2::text::pgmem_snapshot, $3)",
            &[session.into(), json.into(), id.into()],
        )
        .unwrap()
        .unwrap()
    }

    fn one<T: FromDatum + IntoDatum>(sql: &str) -> Option<T> {
        Spi::get_one::<T>(sql).unwrap()
    }

    #[pg_test]
    fn generated_ids_are_uuidv7_in_time_order() {
        let first = save("s", r#"{"turn": 1}"#, None);
        let second = save("s", r#"{"turn": 2}"#, None);
        assert_eq!(first.len(), 36);
        assert_eq!(&first[14..15], "7", "version nibble of {first}");
        assert!(second > first, "{second} should sort after {first}");
        assert_eq!(rows("pgmem_checkpoints"), 2);
    }

    /// Saving over a checkpoint replaces what it holds, not when it was first saved.
    #[pg_test]
    fn save_upserts_on_the_key_and_keeps_saved_at() {
        assert_eq!(save("s", r#"{"v": 1}"#, Some("k")), "k");
        let first_at = one::<String>("SELECT saved_at::text FROM pgmem_checkpoints").unwrap();
        Spi::run(
            r#"SELECT pgmem_checkpoint_save('s', '{"v": 2}', 'k', 'second', '{"tag": "x"}', 'p')"#,
        )
        .unwrap();
        assert_eq!(rows("pgmem_checkpoints"), 1);
        let (label, parent) =
            Spi::get_two::<String, String>("SELECT label, parent_id FROM pgmem_checkpoints")
                .unwrap();
        assert_eq!(
            (label.as_deref(), parent.as_deref()),
            (Some("second"), Some("p"))
        );
        assert_eq!(
            one::<bool>(
                r#"SELECT snapshot::jsonb = '{"v": 2}' AND metadata = '{"tag": "x"}'
                   AND saved_at = $$FIRST$$::timestamptz FROM pgmem_checkpoint_load('s')"#
                    .replace("FIRST", &first_at)
                    .as_str()
            ),
            Some(true)
        );
    }

    #[pg_test]
    fn load_gives_the_named_or_the_latest_or_nothing() {
        save("s", r#"{"turn": 1}"#, Some("a"));
        save("s", r#"{"turn": 2}"#, Some("b"));
        save("other", r#"{"turn": 9}"#, Some("c"));
        let latest = one::<String>("SELECT checkpoint_id FROM pgmem_checkpoint_load('s')");
        assert_eq!(latest.as_deref(), Some("b"));
        let named = one::<String>("SELECT snapshot::text FROM pgmem_checkpoint_load('s', 'a')");
        assert_eq!(named.as_deref(), Some(r#"{"turn":1}"#));
        assert_eq!(
            one::<i64>("SELECT count(*) FROM pgmem_checkpoint_load('s', 'c')"),
            Some(0)
        );
        assert_eq!(
            one::<i64>("SELECT count(*) FROM pgmem_checkpoint_load('none')"),
            Some(0)
        );
    }

    #[pg_test]
    fn latest_breaks_saved_at_ties_by_checkpoint_id() {
        Spi::run(
            "INSERT INTO pgmem_checkpoints (session_id, checkpoint_id, frame, saved_at)
             SELECT 's', v.id, pgmem_snapshot_send(v.doc::pgmem_snapshot), '2026-01-01'
             FROM (VALUES ('a', '1'), ('c', '3'), ('b', '2')) AS v(id, doc)",
        )
        .unwrap();
        let latest = one::<String>("SELECT checkpoint_id FROM pgmem_checkpoint_load('s')");
        assert_eq!(latest.as_deref(), Some("c"));
        let order =
            one::<String>("SELECT string_agg(checkpoint_id, '') FROM pgmem_checkpoint_list('s')");
        assert_eq!(order.as_deref(), Some("cba"));
    }

    #[pg_test]
    fn list_pages_newest_first_with_sizes_and_filters() {
        for turn in 1..=7 {
            let meta = if turn % 2 == 0 {
                r#"{"even": true}"#
            } else {
                "{}"
            };
            Spi::run_with_args(
                "SELECT pgmem_checkpoint_save('s', jsonb_build_object('turn', $1::int), \
                 't' || $1, metadata => $2::jsonb)",
                &[turn.into(), meta.into()],
            )
            .unwrap();
        }
        let mut seen = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let page = Spi::get_one_with_args::<String>(
                "SELECT string_agg(checkpoint_id, ',') FROM pgmem_checkpoint_list('s', 3, $1)",
                &[before.clone().into()],
            )
            .unwrap();
            let Some(page) = page else { break };
            seen.extend(page.split(',').map(String::from));
            before = seen.last().cloned();
        }
        assert_eq!(seen, ["t7", "t6", "t5", "t4", "t3", "t2", "t1"]);
        let even = one::<String>(
            r#"SELECT string_agg(checkpoint_id, ',') FROM pgmem_checkpoint_list('s', metadata_filter => '{"even": true}')"#,
        );
        assert_eq!(even.as_deref(), Some("t6,t4,t2"));
        assert_eq!(
            one::<i64>("SELECT count(*) FROM pgmem_checkpoint_list('s', 10, 'no-such-id')"),
            Some(0)
        );
        let sizes_match = one::<bool>(
            "SELECT bool_and(l.raw_bytes = pgmem_snapshot_raw_size(s.snapshot)
                         AND l.stored_bytes = octet_length(c.frame))
             FROM pgmem_checkpoint_list('s') l
             JOIN pgmem_checkpoints c ON c.session_id = 's' AND c.checkpoint_id = l.checkpoint_id
             JOIN pgmem_checkpoint_load('s', l.checkpoint_id) s ON true",
        );
        assert_eq!(sizes_match, Some(true));
    }

    #[pg_test]
    fn delete_one_or_a_session_and_count() {
        for id in ["a", "b", "c"] {
            save("s", "{}", Some(id));
        }
        save("keep", "{}", Some("a"));
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_delete('s', 'a')"),
            Some(1)
        );
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_delete('s', 'a')"),
            Some(0)
        );
        assert_eq!(one::<i64>("SELECT pgmem_checkpoint_delete('s')"), Some(2));
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_delete('nobody')"),
            Some(0)
        );
        assert_eq!(rows("pgmem_checkpoints"), 1);
    }

    #[pg_test]
    fn bad_arguments_fail_with_22023_and_store_nothing() {
        let long_session = "x".repeat(256);
        let long_id = "y".repeat(65);
        let cases = [
            "SELECT pgmem_checkpoint_save('', '{}')".to_string(),
            format!("SELECT pgmem_checkpoint_save('{long_session}', '{{}}')"),
            "SELECT pgmem_checkpoint_save(NULL, '{}')".to_string(),
            "SELECT pgmem_checkpoint_save('s', NULL)".to_string(),
            "SELECT pgmem_checkpoint_save('s', '{}', '')".to_string(),
            format!("SELECT pgmem_checkpoint_save('s', '{{}}', '{long_id}')"),
            format!("SELECT pgmem_checkpoint_save('s', '{{}}', parent_id => '{long_id}')"),
            "SELECT * FROM pgmem_checkpoint_load('')".to_string(),
            format!("SELECT * FROM pgmem_checkpoint_load('{long_session}')"),
            format!("SELECT * FROM pgmem_checkpoint_load('s', '{long_id}')"),
            "SELECT * FROM pgmem_checkpoint_list('')".to_string(),
            "SELECT * FROM pgmem_checkpoint_list('s', 0)".to_string(),
            "SELECT * FROM pgmem_checkpoint_list('s', 10001)".to_string(),
            "SELECT * FROM pgmem_checkpoint_list('s', NULL)".to_string(),
            "SELECT pgmem_checkpoint_delete('')".to_string(),
            format!("SELECT pgmem_checkpoint_delete('s', '{long_id}')"),
        ];
        for sql in &cases {
            assert_eq!(sqlstate_of(sql), "22023", "{sql}");
        }
        assert_eq!(
            sqlstate_of("SELECT pgmem_checkpoint_save('s', 'not json')"),
            "22P02"
        );
        assert_eq!(rows("pgmem_checkpoints"), 0);
        // Limits are inclusive.
        save(&"x".repeat(255), "{}", Some(&"y".repeat(64)));
        assert_eq!(
            one::<i64>("SELECT count(*) FROM pgmem_checkpoint_list('s', 10000)"),
            Some(0)
        );
    }

    #[pg_test]
    fn snapshot_argument_accepts_jsonb_and_json_values() {
        Spi::run_with_args(
            "SELECT pgmem_checkpoint_save('s', $1, 'from-jsonb')",
            &[
                pgrx::JsonB(pgrx::inoutfuncs::json_from_slice(br#"{"via": "jsonb"}"#).unwrap())
                    .into(),
            ],
        )
        .unwrap();
        Spi::run(r#"SELECT pgmem_checkpoint_save('s', '{"via": "json"}'::json, 'from-json')"#)
            .unwrap();
        Spi::run(r#"SELECT pgmem_checkpoint_save('s', '{"via": "literal"}', 'from-literal')"#)
            .unwrap();
        let vias = one::<String>(
            "SELECT string_agg(l.snapshot::jsonb->>'via', ',' ORDER BY l.checkpoint_id)
             FROM pgmem_checkpoints c, pgmem_checkpoint_load(c.session_id, c.checkpoint_id) l",
        );
        assert_eq!(vias.as_deref(), Some("json,jsonb,literal"));
    }

    #[pg_test]
    fn checkpoint_reads_are_stable_and_parallel_safe() {
        let kinds = one::<String>(
            "SELECT string_agg(proname || ':' || provolatile::text || proparallel::text, ' ' ORDER BY proname)
             FROM pg_proc WHERE proname LIKE 'pgmem_checkpoint_%'",
        );
        assert_eq!(
            kinds.as_deref(),
            Some(
                "pgmem_checkpoint_base:ss pgmem_checkpoint_chain:ss pgmem_checkpoint_contents:ss \
                 pgmem_checkpoint_copy:vu pgmem_checkpoint_delete:vu \
                 pgmem_checkpoint_delete_by_metadata:vu pgmem_checkpoint_encode:ss \
                 pgmem_checkpoint_expire:vu pgmem_checkpoint_list:ss pgmem_checkpoint_load:ss \
                 pgmem_checkpoint_lock:vu pgmem_checkpoint_position:ss pgmem_checkpoint_prune:vu \
                 pgmem_checkpoint_put:vu pgmem_checkpoint_put_writes:vu pgmem_checkpoint_read:ss \
                 pgmem_checkpoint_rebase:ss pgmem_checkpoint_remove:vu pgmem_checkpoint_rows:ss \
                 pgmem_checkpoint_save:vu pgmem_checkpoint_save_json:vu pgmem_checkpoint_snapshot:is \
                 pgmem_checkpoint_stats:ss pgmem_checkpoint_superseded:ss pgmem_checkpoint_unlink:vu"
            )
        );
    }

    #[pg_test]
    fn a_hostile_search_path_changes_nothing() {
        Spi::run(
            "CREATE SCHEMA evil;
             CREATE TABLE evil.pgmem_checkpoints (LIKE pgmem_checkpoints INCLUDING ALL);
             CREATE TEMP TABLE pgmem_checkpoints (LIKE pgmem_checkpoints INCLUDING ALL);
             CREATE TABLE evil.pgmem_checkpoint_writes (LIKE pgmem_checkpoint_writes INCLUDING ALL);
             CREATE TEMP TABLE pgmem_checkpoint_writes (LIKE pgmem_checkpoint_writes INCLUDING ALL);
             CREATE FUNCTION evil.pgmem_checked_id(text, text) RETURNS text
                 LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'evil helper called'; END $$;
             CREATE FUNCTION evil.text_eq(text, text) RETURNS boolean
                 LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'evil operator called'; END $$;
             CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.text_eq);
             SET LOCAL search_path = evil, public, pg_catalog;",
        )
        .unwrap();
        Spi::run(
            r#"SELECT public.pgmem_checkpoint_save('s', '{"safe": true}', 'k', metadata => '{"run": 1}'),
                      public.pgmem_checkpoint_put_writes('s', 'k', 't', ARRAY['c'], ARRAY['json'], ARRAY['1'])"#,
        )
        .unwrap();
        let loaded = one::<String>("SELECT snapshot::text FROM public.pgmem_checkpoint_load('s')");
        assert_eq!(loaded.as_deref(), Some(r#"{"safe":true}"#));
        assert_eq!(
            one::<i64>("SELECT count(*) FROM public.pgmem_checkpoint_list('s')"),
            Some(1)
        );
        let writes = one::<String>(
            "SELECT write_values::text FROM public.pgmem_checkpoint_read('s', checkpoint_id => 'k')",
        );
        assert_eq!(writes.as_deref(), Some("{1}"));
        assert_eq!(
            one::<i64>("SELECT public.pgmem_checkpoint_copy('s', 'copy')"),
            Some(1)
        );
        assert_eq!(
            one::<i64>("SELECT public.pgmem_checkpoint_delete('s', 'k')"),
            Some(1)
        );
        assert_eq!(
            one::<i64>(
                r#"SELECT public.pgmem_checkpoint_delete_by_metadata(ARRAY['{"run": 1}']::jsonb[])"#
            ),
            Some(1)
        );
        Spi::run("RESET search_path").unwrap();
        for table in ["pgmem_checkpoints", "pgmem_checkpoint_writes"] {
            assert_eq!(rows(&format!("evil.{table}")), 0, "{table}");
            assert_eq!(rows(&format!("pg_temp.{table}")), 0, "{table}");
            assert_eq!(rows(&format!("public.{table}")), 0, "{table}");
        }
    }
}
