//! Delta checkpoints (README, "Checkpoints"): what a save stores, that every checkpoint
//! loads as saved after any sequence of saves, deletes, prunes and expiries, that
//! damage is XX001 naming the checkpoint, and that writers to a session serialise.
#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::{
        connect, next_doc, rows, set_keyframe_interval, sqlstate_of, turns, Rng,
    };
    use pgrx::prelude::*;
    use std::collections::BTreeMap;

    fn save(session: &str, json: &str, id: &str, parent: Option<&str>) {
        save_as(Form::Snapshot, session, json, id, parent);
    }

    /// The two ways to save: a snapshot, or JSON text (pgmem_checkpoint_save_json).
    #[derive(Clone, Copy)]
    enum Form {
        Snapshot,
        Text,
    }

    fn save_as(form: Form, session: &str, json: &str, id: &str, parent: Option<&str>) {
        let sql = match form {
            Form::Snapshot => {
                "SELECT pgmem_checkpoint_save($1, $2::text::pgmem_snapshot, $3, parent_id => $4)"
            }
            Form::Text => "SELECT pgmem_checkpoint_save_json($1, $2, $3, parent_id => $4)",
        };
        Spi::run_with_args(
            sql,
            &[session.into(), json.into(), id.into(), parent.into()],
        )
        .unwrap();
    }

    fn load(session: &str, id: &str) -> Option<String> {
        Spi::get_one_with_args::<String>(
            "SELECT snapshot::text FROM pgmem_checkpoint_load($1, $2)",
            &[session.into(), id.into()],
        )
        .unwrap()
    }

    fn base_of(session: &str, id: &str) -> Option<String> {
        Spi::get_one_with_args::<String>(
            "SELECT base_id FROM pgmem_checkpoints WHERE session_id = $1 AND checkpoint_id = $2",
            &[session.into(), id.into()],
        )
        .unwrap()
    }

    fn one<T: FromDatum + IntoDatum>(sql: &str) -> Option<T> {
        Spi::get_one::<T>(sql).unwrap()
    }

    #[pg_test]
    fn a_session_is_deltas_with_a_keyframe_every_interval() {
        let turns = turns();
        assert!(turns.len() > 20, "a long enough run");
        for (i, doc) in turns.iter().enumerate() {
            save("s", doc, &format!("t{i:03}"), None);
        }
        for (i, doc) in turns.iter().enumerate() {
            let id = format!("t{i:03}");
            assert_eq!(load("s", &id).as_deref(), Some(doc.as_str()), "{id}");
            let expected = (i % 16 != 0).then(|| format!("t{:03}", i - 1));
            assert_eq!(base_of("s", &id), expected, "{id}");
        }
        // Far smaller than storing each alone, and the list describes whole documents.
        let (stored, alone) = Spi::get_two::<i64, i64>(
            "SELECT sum(octet_length(c.frame)), sum(pgmem_snapshot_stored_size(l.snapshot::text::pgmem_snapshot))
             FROM pgmem_checkpoints c, pgmem_checkpoint_load(c.session_id, c.checkpoint_id) l",
        )
        .unwrap();
        assert!(
            stored.unwrap() * 3 < alone.unwrap(),
            "{stored:?} vs {alone:?}"
        );
        let mismatched = one::<i64>(
            "SELECT count(*) FROM pgmem_checkpoint_list('s', 1000) li
             JOIN pgmem_checkpoint_load('s', li.checkpoint_id) l ON true
             WHERE li.raw_bytes <> pgmem_snapshot_raw_size(l.snapshot)",
        );
        assert_eq!(mismatched, Some(0));
        let (checkpoints, keyframes) = Spi::get_two::<i64, i64>(
            "SELECT checkpoints, keyframes FROM pgmem_checkpoint_stats('s')",
        )
        .unwrap();
        assert_eq!(checkpoints, Some(turns.len() as i64));
        assert_eq!(keyframes, Some(turns.len().div_ceil(16) as i64));
    }

    #[pg_test]
    fn json_text_and_snapshots_store_the_same_frames() {
        let turns = turns();
        for (i, doc) in turns.iter().take(6).enumerate() {
            save_as(Form::Snapshot, "snap", doc, &format!("t{i}"), None);
            save_as(Form::Text, "text", doc, &format!("t{i}"), None);
        }
        let differing = one::<i64>(
            "SELECT count(*) FROM pgmem_checkpoints s JOIN pgmem_checkpoints t USING (checkpoint_id)
             WHERE s.session_id = 'snap' AND t.session_id = 'text'
               AND (s.frame <> t.frame OR s.base_id IS DISTINCT FROM t.base_id)",
        );
        assert_eq!(differing, Some(0));
        // Text input's errors, with nothing stored.
        for (bad, code) in [
            ("not json", "22P02"),
            (r#"{"a": "\u0000"}"#, "22P05"),
            ("[1e1000000000]", "22003"),
        ] {
            let sql = format!("SELECT pgmem_checkpoint_save_json('text', $${bad}$$, 'bad')");
            assert_eq!(sqlstate_of(&sql), code, "{bad}");
        }
        assert_eq!(
            sqlstate_of("SELECT pgmem_checkpoint_save_json('text', NULL)"),
            "22023"
        );
        assert_eq!(rows("pgmem_checkpoints WHERE session_id = 'text'"), 6);
    }

    #[pg_test]
    fn the_interval_setting_decides_where_keyframes_go() {
        let turns = turns();
        Spi::run("SET LOCAL pgmem.checkpoint_keyframe_interval = 1").unwrap();
        for (i, doc) in turns.iter().take(5).enumerate() {
            save("whole", doc, &format!("t{i}"), None);
        }
        assert_eq!(
            rows("pgmem_checkpoints WHERE session_id = 'whole' AND base_id IS NULL"),
            5
        );
        Spi::run("SET LOCAL pgmem.checkpoint_keyframe_interval = 3").unwrap();
        for (i, doc) in turns.iter().take(7).enumerate() {
            save("three", doc, &format!("t{i}"), None);
        }
        let keyframes = one::<String>(
            "SELECT string_agg(checkpoint_id, ',' ORDER BY checkpoint_id) FROM pgmem_checkpoints
             WHERE session_id = 'three' AND base_id IS NULL",
        );
        assert_eq!(keyframes.as_deref(), Some("t0,t3,t6"));
        assert_eq!(
            sqlstate_of("SET pgmem.checkpoint_keyframe_interval = 0"),
            "22023"
        );
    }

    #[pg_test]
    fn branches_name_their_base_and_unrelated_documents_are_keyframes() {
        let turns = turns();
        save("b", &turns[10], "root", None);
        save("b", &turns[11], "left", Some("root"));
        save("b", &turns[12], "right", Some("root"));
        save("b", &turns[13], "after-right", None);
        assert_eq!(base_of("b", "left").as_deref(), Some("root"));
        assert_eq!(base_of("b", "right").as_deref(), Some("root"));
        // Without a parent in the session: against the session's latest.
        assert_eq!(base_of("b", "after-right").as_deref(), Some("right"));
        save("b", &turns[14], "orphan", Some("not-in-session"));
        assert_eq!(base_of("b", "orphan").as_deref(), Some("after-right"));
        // A document nothing like its base is stored whole.
        save("b", r#"{"other": "document"}"#, "unrelated", None);
        assert_eq!(base_of("b", "unrelated"), None);
        for (id, doc) in [
            ("left", 11),
            ("right", 12),
            ("after-right", 13),
            ("orphan", 14),
        ] {
            assert_eq!(load("b", id).as_deref(), Some(turns[doc].as_str()));
        }
    }

    #[pg_test]
    fn loads_are_complete_snapshots() {
        let turns = turns();
        save("c", &turns[3], "k", None);
        save("c", &turns[4], "d", None);
        assert_eq!(base_of("c", "d").as_deref(), Some("k"));
        // Codec 1 (a snapshot), never 2 (a delta), and binary input takes it back.
        let codec = one::<i32>(
            "SELECT get_byte(pgmem_snapshot_send(snapshot), 4) FROM pgmem_checkpoint_load('c', 'd')",
        );
        assert_eq!(codec, Some(1));
        let sent = one::<Vec<u8>>(
            "SELECT pgmem_snapshot_send(snapshot) FROM pgmem_checkpoint_load('c', 'd')",
        )
        .unwrap();
        let back: String = connect()
            .query_one(
                "SELECT $1::pgmem_snapshot::text",
                &[&crate::pg_tests::Raw(sent)],
            )
            .unwrap()
            .get(0);
        assert_eq!(back, turns[4]);
    }

    #[pg_test]
    fn saving_over_a_base_and_deleting_one_keep_dependents_loadable() {
        let turns = turns();
        for (i, doc) in turns.iter().take(6).enumerate() {
            save("r", doc, &format!("t{i}"), None);
        }
        // t2 is the base of t3: replaced by another document, t3 and later stay as saved.
        save("r", &turns[20], "t2", None);
        for i in [0, 1, 3, 4, 5] {
            assert_eq!(
                load("r", &format!("t{i}")).as_deref(),
                Some(turns[i].as_str())
            );
        }
        assert_eq!(load("r", "t2").as_deref(), Some(turns[20].as_str()));
        assert_ne!(base_of("r", "t3").as_deref(), Some("t2"));
        // Deleting the keyframe: its dependent becomes one.
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_delete('r', 't0')"),
            Some(1)
        );
        assert_eq!(base_of("r", "t1"), None);
        for i in [1, 3, 4, 5] {
            assert_eq!(
                load("r", &format!("t{i}")).as_deref(),
                Some(turns[i].as_str())
            );
        }
    }

    /// The error message of `sql`, or None when it succeeds.
    fn message_of(sql: &str) -> Option<String> {
        Spi::run(
            "CREATE OR REPLACE FUNCTION pg_temp.message_of(q text) RETURNS text
             LANGUAGE plpgsql AS $$
             BEGIN EXECUTE q; RETURN NULL;
             EXCEPTION WHEN OTHERS THEN RETURN SQLERRM; END $$",
        )
        .unwrap();
        Spi::get_one_with_args::<String>("SELECT pg_temp.message_of($1)", &[sql.into()]).unwrap()
    }

    /// Push every document out of this backend's cache (8 MB, src/chain_cache.rs) by
    /// saving larger ones, so that the next read decodes its chain from the frames.
    fn forget_documents() {
        let pad = format!("{{\"pad\": \"{}\"}}", "x".repeat(1_500_000));
        for i in 0..6 {
            save_as(Form::Text, "forget", &pad, &format!("f{i}"), None);
        }
    }

    /// Damage is XX001 naming the checkpoint and the frame at fault for every read that
    /// decodes the damaged frame. A backend that has a checkpoint's document (it saved
    /// or read it) starts from there: it reads the document saved, until it no longer
    /// has it.
    #[pg_test]
    fn damaged_frames_are_xx001_naming_the_checkpoint() {
        let turns = turns();
        for (i, doc) in turns.iter().take(4).enumerate() {
            save("x", doc, &format!("t{i}"), None);
        }
        // A flipped byte in the keyframe's zstd frame.
        Spi::run(
            "UPDATE pgmem_checkpoints SET frame = set_byte(frame, 30, get_byte(frame, 30) # 1)
             WHERE session_id = 'x' AND checkpoint_id = 't0'",
        )
        .unwrap();
        assert_eq!(load("x", "t3").as_deref(), Some(turns[3].as_str()));
        forget_documents();
        let load_t3 = "SELECT snapshot::text FROM pgmem_checkpoint_load('x', 't3')";
        assert_eq!(sqlstate_of(load_t3), "XX001");
        let message = message_of(load_t3).unwrap();
        assert!(
            message.contains("\"t3\"") && message.contains("\"t0\""),
            "{message}"
        );
        // Deleting t1 re-encodes t2 against the damaged t0: it fails the same way and
        // leaves everything as it was.
        let before = rows("pgmem_checkpoints WHERE session_id = 'x'");
        assert_eq!(
            sqlstate_of("SELECT pgmem_checkpoint_delete('x', 't1')"),
            "XX001"
        );
        assert_eq!(rows("pgmem_checkpoints WHERE session_id = 'x'"), before);
        // A missing base (a row deleted by hand) and a cycle (rows edited by hand).
        Spi::run("DELETE FROM pgmem_checkpoints WHERE session_id = 'x' AND checkpoint_id = 't0'")
            .unwrap();
        assert_eq!(
            sqlstate_of("SELECT * FROM pgmem_checkpoint_load('x', 't2')"),
            "XX001"
        );
        Spi::run(
            "UPDATE pgmem_checkpoints SET base_id = 't3', frame = (SELECT frame FROM pgmem_checkpoints
                 WHERE session_id = 'x' AND checkpoint_id = 't2')
             WHERE session_id = 'x' AND checkpoint_id = 't1'",
        )
        .unwrap();
        assert_eq!(
            sqlstate_of("SELECT * FROM pgmem_checkpoint_load('x', 't3')"),
            "XX001"
        );
        // Other sessions are untouched.
        save("y", &turns[0], "fine", None);
        assert_eq!(load("y", "fine").as_deref(), Some(turns[0].as_str()));
    }

    #[pg_test]
    fn prune_keeps_the_newest_and_expire_the_latest() {
        let turns = turns();
        for s in ["p1", "p2", "p3"] {
            for (i, doc) in turns.iter().take(6).enumerate() {
                save(s, doc, &format!("t{i}"), None);
            }
        }
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_prune(ARRAY['p1'], 2)"),
            Some(4)
        );
        assert_eq!(rows("pgmem_checkpoints WHERE session_id = 'p1'"), 2);
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_prune(ARRAY['p1', 'p2', 'p3'], 5)"),
            Some(2)
        );
        for (s, i) in [("p1", 4), ("p1", 5), ("p2", 1), ("p3", 5)] {
            assert_eq!(
                load(s, &format!("t{i}")).as_deref(),
                Some(turns[i].as_str()),
                "{s} t{i}"
            );
        }
        // Everything looks a day old: expire in batches of 3, never a latest.
        Spi::run(
            "UPDATE pgmem_checkpoints SET saved_at = saved_at - interval '1 day' WHERE session_id LIKE 'p_'",
        )
        .unwrap();
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_expire('1 hour', max_rows => 3)"),
            Some(3)
        );
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_expire('1 hour')"),
            Some(6)
        );
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_expire('1 hour')"),
            Some(0)
        );
        assert_eq!(rows("pgmem_checkpoints WHERE session_id LIKE 'p_'"), 3);
        for s in ["p1", "p2", "p3"] {
            assert_eq!(load(s, "t5").as_deref(), Some(turns[5].as_str()));
        }
        assert_eq!(
            one::<i64>("SELECT pgmem_checkpoint_expire('1 hour', keep_latest => false)"),
            Some(3)
        );
        for bad in [
            "SELECT pgmem_checkpoint_prune(NULL, -1)",
            "SELECT pgmem_checkpoint_prune(NULL, NULL)",
            "SELECT pgmem_checkpoint_expire(NULL)",
            "SELECT pgmem_checkpoint_expire('-1 day')",
            "SELECT pgmem_checkpoint_expire('1 day', NULL)",
            "SELECT pgmem_checkpoint_expire('1 day', max_rows => 0)",
            "SELECT pgmem_episode_expire('-1 day')",
            "SELECT pgmem_episode_expire('1 day', 10001)",
        ] {
            assert_eq!(sqlstate_of(bad), "22023", "{bad}");
        }
    }

    #[pg_test]
    fn episode_expire_deletes_the_oldest_in_batches() {
        Spi::run(
            "SELECT pgmem_episode_store('u' || i % 3, 'episode ' || i, '{}', 'e' || i)
             FROM generate_series(1, 10) AS i",
        )
        .unwrap();
        Spi::run("UPDATE pgmem_episodes SET inserted_at = now() - interval '2 days' WHERE episode_id <> 'e10'")
            .unwrap();
        assert_eq!(
            one::<i64>("SELECT pgmem_episode_expire('1 day', 4)"),
            Some(4)
        );
        assert_eq!(one::<i64>("SELECT pgmem_episode_expire('1 day')"), Some(5));
        assert_eq!(rows("pgmem_episodes WHERE episode_id LIKE 'e%'"), 1);
    }

    /// A checkpoint as the model holds it: its document, and its place in the order: the
    /// step of its first save (a save over it keeps it), a year back when aged.
    struct Saved {
        doc: String,
        place: i64,
    }

    type Model = BTreeMap<(String, String), Saved>;

    /// What aging a checkpoint by a year does to its place: before every unaged one.
    const YEAR: i64 = 1_000_000;

    /// The model's ids of a session, newest first.
    fn newest_first(model: &Model, session: &str) -> Vec<String> {
        let mut ids: Vec<(i64, &String)> = model
            .iter()
            .filter(|((s, _), _)| s == session)
            .map(|((_, id), saved)| (saved.place, id))
            .collect();
        ids.sort_by(|a, b| b.cmp(a));
        ids.into_iter().map(|(_, id)| id.clone()).collect()
    }

    /// Every checkpoint of the seed's sessions loads as the model holds it, and each
    /// session's list and latest follow the model's order.
    fn check_model(seed: u64, model: &Model, context: &str) {
        let stored = rows(&format!(
            "pgmem_checkpoints WHERE session_id LIKE 'r{seed}-%'"
        ));
        assert_eq!(stored as usize, model.len(), "{context}");
        for ((s, id), saved) in model {
            assert_eq!(
                load(s, id).as_ref(),
                Some(&saved.doc),
                "{context}: {s}/{id}"
            );
        }
        for n in 0..3 {
            let session = format!("r{seed}-{n}");
            let listed = Spi::get_one_with_args::<Vec<String>>(
                "SELECT coalesce(array_agg(l.checkpoint_id ORDER BY l.ordinality), '{}')
                 FROM pgmem_checkpoint_list($1, 10000) WITH ORDINALITY AS l",
                &[session.as_str().into()],
            )
            .unwrap()
            .unwrap();
            let expected = newest_first(model, &session);
            assert_eq!(listed, expected, "{context}: order of {session}");
            let latest = Spi::get_one_with_args::<String>(
                "SELECT (SELECT checkpoint_id FROM pgmem_checkpoint_load($1))",
                &[session.as_str().into()],
            )
            .unwrap();
            assert_eq!(
                latest.as_ref(),
                expected.first(),
                "{context}: latest of {session}"
            );
        }
    }

    /// Ages a third of the seed's checkpoints by a year (in the model too), then expires
    /// a batch; the model keeps what the table kept.
    fn age_and_expire(seed: u64, third: usize, model: &mut Model) {
        let aged = Spi::get_one::<Vec<String>>(&format!(
            "WITH aged AS (
                 UPDATE pgmem_checkpoints SET saved_at = saved_at - interval '1 year'
                 WHERE session_id LIKE 'r{seed}-%' AND abs(hashtext(checkpoint_id)) % 3 = {third}
                 RETURNING session_id || '/' || checkpoint_id AS key)
             SELECT coalesce(array_agg(key), '{{}}') FROM aged"
        ))
        .unwrap()
        .unwrap();
        for ((s, id), saved) in model.iter_mut() {
            if aged.contains(&format!("{s}/{id}")) {
                saved.place -= YEAR;
            }
        }
        Spi::run("SELECT pgmem_checkpoint_expire('1 day', keep_latest => true, max_rows => 5)")
            .unwrap();
        let left = Spi::get_one::<Vec<String>>(&format!(
            "SELECT coalesce(array_agg(session_id || '/' || checkpoint_id), '{{}}')
             FROM pgmem_checkpoints WHERE session_id LIKE 'r{seed}-%'"
        ))
        .unwrap()
        .unwrap();
        model.retain(|(s, id), _| left.contains(&format!("{s}/{id}")));
    }

    /// Random saves (with and without parent, branching, over existing ids), deletes of
    /// one checkpoint or a session, prunes and expiries, with the keyframe interval
    /// changing; after every step every remaining checkpoint loads as it was saved, and
    /// every session is in the order of first saves (a save over a checkpoint keeps its
    /// place).
    #[pg_test]
    fn random_operations_keep_every_checkpoint_loadable() {
        let turns = turns();
        for seed in [1u64, 7, 2026] {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let mut model = Model::new();
            for step in 0..90 {
                let session = format!("r{}-{}", seed, rng.below(3));
                let ids = newest_first(&model, &session);
                let pick = |rng: &mut Rng| ids.get(rng.below(ids.len())).cloned();
                let what = match rng.below(20) {
                    0..=11 => {
                        let parent = if rng.below(2) == 0 {
                            pick(&mut rng)
                        } else {
                            None
                        };
                        // Now and then a save over an existing checkpoint. Ids sort as
                        // the steps do, as saved_at ties are broken by id.
                        let id = match rng.below(8) {
                            0 => pick(&mut rng).unwrap_or_else(|| format!("c{step:03}")),
                            _ => format!("c{step:03}"),
                        };
                        let base = parent
                            .as_ref()
                            .and_then(|p| model.get(&(session.clone(), p.clone())))
                            .map(|saved| &saved.doc);
                        let doc = next_doc(&mut rng, base, &turns);
                        let form = [Form::Snapshot, Form::Text][rng.below(2)];
                        save_as(form, &session, &doc, &id, parent.as_deref());
                        let key = (session.clone(), id.clone());
                        let place = model.get(&key).map_or(step as i64, |saved| saved.place);
                        model.insert(key, Saved { doc, place });
                        format!("save {session}/{id} parent {parent:?}")
                    }
                    12..=14 => match pick(&mut rng) {
                        Some(id) => {
                            Spi::run_with_args(
                                "SELECT pgmem_checkpoint_delete($1, $2)",
                                &[session.as_str().into(), id.as_str().into()],
                            )
                            .unwrap();
                            model.remove(&(session.clone(), id.clone()));
                            format!("delete {session}/{id}")
                        }
                        None => continue,
                    },
                    15 => {
                        Spi::run_with_args(
                            "SELECT pgmem_checkpoint_delete($1)",
                            &[session.as_str().into()],
                        )
                        .unwrap();
                        model.retain(|(s, _), _| *s != session);
                        format!("delete session {session}")
                    }
                    16 | 17 => {
                        let keep = rng.below(4);
                        Spi::run_with_args(
                            "SELECT pgmem_checkpoint_prune(ARRAY[$1], $2)",
                            &[session.as_str().into(), (keep as i32).into()],
                        )
                        .unwrap();
                        for id in ids.iter().skip(keep) {
                            model.remove(&(session.clone(), id.clone()));
                        }
                        format!("prune {session} keep {keep}")
                    }
                    18 => {
                        age_and_expire(seed, rng.below(3), &mut model);
                        "expire".to_string()
                    }
                    _ => set_keyframe_interval(1 + rng.below(5)),
                };
                check_model(seed, &model, &format!("seed {seed} step {step} ({what})"));
            }
        }
    }

    /// Writers to one session wait for each other; other sessions do not wait.
    #[pg_test]
    fn writers_to_a_session_serialise_and_sessions_do_not_block() {
        let mut first = connect();
        let mut second = connect();
        first
            .batch_execute("BEGIN; SELECT pgmem_checkpoint_save('lock-a', '{\"n\": 1}', 'one');")
            .unwrap();
        second.batch_execute("SET lock_timeout = '200ms'").unwrap();
        let blocked = second
            .batch_execute("SELECT pgmem_checkpoint_save('lock-a', '{\"n\": 2}', 'two')")
            .unwrap_err();
        assert_eq!(blocked.code().map(|c| c.code()), Some("55P03"));
        second
            .batch_execute("SELECT pgmem_checkpoint_save('lock-b', '{\"n\": 3}', 'three')")
            .unwrap();
        assert!(second
            .batch_execute("SELECT pgmem_checkpoint_delete('lock-a', 'one')")
            .is_err());
        first.batch_execute("COMMIT").unwrap();
        second
            .batch_execute(
                "SELECT pgmem_checkpoint_save('lock-a', '{\"n\": 2}', 'two');
                 SELECT pgmem_checkpoint_delete('lock-a'); SELECT pgmem_checkpoint_delete('lock-b');",
            )
            .unwrap();
    }
}
