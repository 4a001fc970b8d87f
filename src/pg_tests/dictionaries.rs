//! Compression dictionaries: trained from snapshots, used once set, read back where
//! they are kept, and never lost.
#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::{rows, sqlstate_of, TAU_BENCH};
    use pgrx::prelude::*;

    /// Every tau-bench run's trajectory (a JSON array of messages).
    fn runs() -> Vec<serde_json::Value> {
        let runs: serde_json::Value = serde_json::from_str(TAU_BENCH).unwrap();
        runs.as_array()
            .unwrap()
            .iter()
            .map(|r| r["traj"].clone())
            .collect()
    }

    /// Trains a dictionary on the trajectories of all runs but the last three, saved
    /// after every second message; returns its id and the held-out runs as JSON text.
    fn train() -> (i32, Vec<String>) {
        let runs = runs();
        let (train, held_out) = runs.split_at(runs.len() - 3);
        Spi::run("CREATE TEMP TABLE samples (doc pgmem_snapshot)").unwrap();
        for traj in train {
            let traj = traj.as_array().unwrap();
            for n in (2..=traj.len()).step_by(2) {
                let doc = serde_json::to_string(&traj[..n]).unwrap();
                Spi::run_with_args(
                    "INSERT INTO samples VALUES ($1::text::pgmem_snapshot)",
                    &[doc.into()],
                )
                .unwrap();
            }
        }
        let id = Spi::get_one::<i32>("SELECT pgmem_dictionary_train(array_agg(doc)) FROM samples")
            .unwrap()
            .unwrap();
        (id, held_out.iter().map(|t| t.to_string()).collect())
    }

    fn stored_size(json: &str) -> i32 {
        Spi::get_one_with_args::<i32>(
            "SELECT pgmem_snapshot_stored_size($1::text::pgmem_snapshot)",
            &[json.into()],
        )
        .unwrap()
        .unwrap()
    }

    #[pg_test]
    fn a_trained_dictionary_shrinks_snapshots_that_read_back_the_same() {
        let (id, held_out) = train();
        assert!(id > 0);
        assert_eq!(rows("pgmem_dictionaries"), 1);
        let plain: i32 = held_out.iter().map(|d| stored_size(d)).sum();
        Spi::run(&format!("SET LOCAL pgmem.compression_dictionary = {id}")).unwrap();
        let with_dictionary: i32 = held_out.iter().map(|d| stored_size(d)).sum();
        assert!(
            with_dictionary * 10 < plain * 8,
            "{with_dictionary} against {plain}"
        );
        for doc in &held_out {
            // From text and from jsonb; read back as text and as jsonb.
            let (from_text, from_jsonb, same) = Spi::get_three_with_args::<i32, i32, bool>(
                "SELECT pgmem_snapshot_dictionary($1::text::pgmem_snapshot), \
                        pgmem_snapshot_dictionary($1::jsonb::pgmem_snapshot), \
                        $1::text::pgmem_snapshot::text::jsonb = $1::jsonb \
                        AND $1::jsonb::pgmem_snapshot::jsonb = $1::jsonb",
                &[doc.as_str().into()],
            )
            .unwrap();
            assert_eq!(
                (from_text, from_jsonb, same),
                (Some(id), Some(id), Some(true))
            );
        }
        // Training the same samples again finds the dictionary kept.
        let again =
            Spi::get_one::<i32>("SELECT pgmem_dictionary_train(array_agg(doc)) FROM samples")
                .unwrap();
        assert_eq!((again, rows("pgmem_dictionaries")), (Some(id), 1));
    }

    #[pg_test]
    fn values_without_a_dictionary_say_so_and_send_stays_self_contained() {
        let (id, held_out) = train();
        assert_eq!(
            Spi::get_one::<i32>("SELECT pgmem_snapshot_dictionary('[1]'::pgmem_snapshot)").unwrap(),
            None
        );
        Spi::run(&format!("SET LOCAL pgmem.compression_dictionary = {id}")).unwrap();
        // What a client receives in binary is readable without the dictionary (codec 1)
        // and is the same document.
        let sent = Spi::get_one_with_args::<Vec<u8>>(
            "SELECT pgmem_snapshot_send($1::text::pgmem_snapshot)",
            &[held_out[0].as_str().into()],
        )
        .unwrap()
        .unwrap();
        assert_eq!((&sent[..3], sent[4]), (&b"PGM"[..], 1));
        let cbor = pgmem_codec::format::decompress(&sent, 1 << 26, pgmem_codec::UNINTERRUPTED);
        let json = pgmem_codec::json_out::to_json(&cbor.unwrap(), pgmem_codec::UNINTERRUPTED);
        let back: serde_json::Value = serde_json::from_slice(&json.unwrap()).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(&held_out[0]).unwrap()
        );
    }

    #[pg_test]
    fn checkpoint_keyframes_use_the_dictionary_and_need_it() {
        let (id, held_out) = train();
        Spi::run(&format!("SET LOCAL pgmem.compression_dictionary = {id}")).unwrap();
        Spi::run_with_args(
            "SELECT pgmem_checkpoint_save('s', $1::text::pgmem_snapshot, 'k')",
            &[held_out[1].as_str().into()],
        )
        .unwrap();
        let codec = Spi::get_one::<i32>(
            "SELECT get_byte(frame, 4) FROM pgmem_checkpoints WHERE checkpoint_id = 'k'",
        )
        .unwrap();
        assert_eq!(codec, Some(3));
        let same = Spi::get_one_with_args::<bool>(
            "SELECT snapshot::jsonb = $1::jsonb FROM pgmem_checkpoint_load('s', 'k')",
            &[held_out[1].as_str().into()],
        )
        .unwrap();
        assert_eq!(same, Some(true));
        // A frame naming a dictionary the database does not have is reported as such.
        Spi::run(
            "UPDATE pgmem_checkpoints SET frame = set_byte(frame, 12, get_byte(frame, 12) # 1)",
        )
        .unwrap();
        assert_eq!(
            sqlstate_of("SELECT snapshot::text FROM pgmem_checkpoint_load('s', 'k')"),
            "42704"
        );
    }

    #[pg_test]
    fn a_missing_or_untrainable_dictionary_is_an_error_and_stores_nothing() {
        Spi::run("CREATE TEMP TABLE t (s pgmem_snapshot)").unwrap();
        Spi::run("SET LOCAL pgmem.compression_dictionary = 12345").unwrap();
        assert_eq!(sqlstate_of(r#"INSERT INTO t VALUES ('{"a": 1}')"#), "42704");
        assert_eq!(rows("t"), 0);
        Spi::run("RESET pgmem.compression_dictionary").unwrap();
        for bad in [
            "SELECT pgmem_dictionary_train(NULL)",
            "SELECT pgmem_dictionary_train(ARRAY['[1]'::pgmem_snapshot], NULL)",
            "SELECT pgmem_dictionary_train(ARRAY['[1]'::pgmem_snapshot], 100)",
            "SELECT pgmem_dictionary_train(ARRAY['[1]'::pgmem_snapshot], 2000000)",
            "SELECT pgmem_dictionary_train(ARRAY['[1]', '[2]', NULL]::pgmem_snapshot[])",
        ] {
            assert_eq!(sqlstate_of(bad), "22023", "{bad}");
        }
        assert_eq!(rows("pgmem_dictionaries"), 0);
    }

    #[pg_test]
    fn dictionaries_cannot_be_changed_or_removed() {
        let (id, _) = train();
        for change in [
            "UPDATE pgmem_dictionaries SET sample_count = 0".to_string(),
            format!("DELETE FROM pgmem_dictionaries WHERE id = {id}"),
            "TRUNCATE pgmem_dictionaries".to_string(),
        ] {
            assert_eq!(sqlstate_of(&change), "55000", "{change}");
        }
        // Nor stored under an id that is not its own.
        assert_eq!(
            sqlstate_of(
                "INSERT INTO pgmem_dictionaries (id, dictionary, sample_count) \
                         SELECT id + 1, dictionary, 1 FROM pgmem_dictionaries"
            ),
            "23514"
        );
        assert_eq!(rows("pgmem_dictionaries"), 1);
    }
}
