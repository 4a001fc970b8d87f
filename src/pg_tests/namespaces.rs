//! Namespaces, pending writes, copy and delete by metadata (README, "Checkpoints"): random
//! operations over sessions and their namespaces, and after every step every checkpoint
//! read back through pgmem_checkpoint_read (snapshot, parent, metadata, writes in order),
//! the order of every session and the latest of every namespace equal an in-memory model.
#[pgrx::pg_schema]
mod tests {
    use crate::pg_tests::{next_doc, set_keyframe_interval, turns, Rng};
    use pgrx::prelude::*;
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    /// The root, a subgraph's and a nested one's, as LangGraph names them.
    const NAMESPACES: [&str; 3] = ["", "tools", "tools:3f2a|search"];
    /// Metadata's run ids: delete_by_metadata takes some of them.
    const RUNS: [&str; 3] = ["run-0", "run-1", "run-2"];

    /// (session_id, checkpoint_ns, checkpoint_id)
    type Key = (String, String, String);

    #[derive(Clone)]
    struct Checkpoint {
        doc: String,
        parent: Option<String>,
        metadata: Value,
        /// The step of its first save: the order of its session (saved_at), kept by a
        /// save over it and by a copy.
        place: usize,
    }

    /// A pending write as read returns it; `value` is JSON text, `blob` bytes.
    #[derive(Clone)]
    struct Write {
        task_path: String,
        channel: String,
        value_type: String,
        value: Option<String>,
        blob: Option<Vec<u8>>,
    }

    #[derive(Default)]
    struct Model {
        checkpoints: BTreeMap<Key, Checkpoint>,
        /// Writes by checkpoint (saved or not), each by its key (task_id, idx).
        writes: BTreeMap<Key, BTreeMap<(String, i32), Write>>,
        sessions: Vec<String>,
    }

    impl Model {
        /// A namespace's ids, newest first.
        fn ids(&self, session: &str, ns: &str) -> Vec<String> {
            self.newest_first(session)
                .into_iter()
                .filter(|(n, _)| n == ns)
                .map(|(_, id)| id)
                .collect()
        }

        /// A session's (namespace, id), newest first, as read orders them (places differ
        /// within a session: one save a step, and a copy goes to a new session).
        fn newest_first(&self, session: &str) -> Vec<(String, String)> {
            let mut found: Vec<(usize, String, String)> = self
                .checkpoints
                .iter()
                .filter(|((s, _, _), _)| s == session)
                .map(|((_, ns, id), c)| (c.place, id.clone(), ns.clone()))
                .collect();
            found.sort_by(|a, b| b.cmp(a));
            found.into_iter().map(|(_, id, ns)| (ns, id)).collect()
        }

        /// Removes checkpoints and their writes; returns how many checkpoints went.
        fn remove(&mut self, keys: Vec<Key>) -> i64 {
            for key in &keys {
                self.checkpoints.remove(key);
                self.writes.remove(key);
            }
            keys.len() as i64
        }

        /// The row pgmem_checkpoint_read returns for a checkpoint, as `read_all` shapes it.
        fn row(&self, key: &Key, c: &Checkpoint) -> Value {
            let mut writes: Vec<(&String, &String, &i32, &Write)> = self
                .writes
                .get(key)
                .into_iter()
                .flatten()
                .map(|((task, idx), w)| (&w.task_path, task, idx, w))
                .collect();
            writes.sort_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
            let writes: Vec<Value> = writes
                .into_iter()
                .map(|(_, task, _, w)| {
                    json!([
                        task,
                        w.channel,
                        w.value_type,
                        w.value,
                        w.blob.as_deref().map(hex)
                    ])
                })
                .collect();
            json!({"key": [key.0, key.1, key.2], "parent": c.parent, "metadata": c.metadata,
                   "doc": c.doc, "writes": writes})
        }

        /// Every write, of checkpoints saved or not, as `stored_writes` shapes it.
        fn all_writes(&self) -> Vec<Value> {
            let mut all = Vec::new();
            for ((s, ns, id), writes) in &self.writes {
                for ((task, idx), w) in writes {
                    all.push(json!([
                        s,
                        ns,
                        id,
                        task,
                        idx,
                        w.task_path,
                        w.channel,
                        w.value_type,
                        w.value,
                        w.blob.as_deref().map(hex)
                    ]));
                }
            }
            all.sort_by_key(|w| w.to_string());
            all
        }
    }

    /// The writes table's rows of the sessions, sorted as `Model::all_writes`.
    fn stored_writes(sessions: &[String]) -> Vec<Value> {
        let text = Spi::get_one_with_args::<String>(
            "SELECT coalesce(json_agg(json_build_array(session_id, checkpoint_ns, checkpoint_id,
                         task_id, idx, task_path, channel, value_type, value::text,
                         encode(blob, 'hex'))), '[]')::text
             FROM pgmem_checkpoint_writes WHERE session_id = ANY ($1)",
            &[sessions.to_vec().into()],
        )
        .unwrap()
        .unwrap();
        let mut all: Vec<Value> = serde_json::from_str(&text).unwrap();
        all.sort_by_key(|w| w.to_string());
        all
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Every checkpoint of the sessions, in every namespace, through one
    /// pgmem_checkpoint_read of every session (other tests' sessions left out), in the
    /// shape of `Model::row`, sorted by key.
    fn read_all(sessions: &[String]) -> Vec<Value> {
        let text = Spi::get_one_with_args::<String>(
            "SELECT coalesce(json_agg(json_build_object(
                 'key', json_build_array(r.session_id, r.checkpoint_ns, r.checkpoint_id),
                 'parent', r.parent_id, 'metadata', r.metadata, 'doc', r.snapshot::text,
                 'writes', (SELECT coalesce(json_agg(json_build_array(w.task_id, w.channel,
                                w.value_type, w.value::text, encode(w.blob, 'hex')) ORDER BY w.n), '[]')
                            FROM unnest(r.write_task_ids, r.write_channels, r.write_types,
                                        r.write_values, r.write_blobs)
                                 WITH ORDINALITY AS w (task_id, channel, value_type, value, blob, n)))),
                 '[]')::text
             FROM pgmem_checkpoint_read(NULL, NULL, max_rows => 10000) r
             WHERE r.session_id = ANY ($1)",
            &[sessions.to_vec().into()],
        )
        .unwrap()
        .unwrap();
        let mut rows: Vec<Value> = serde_json::from_str(&text).unwrap();
        rows.sort_by_key(|r| r["key"].to_string());
        rows
    }

    /// A session's (namespace, id) in the order pgmem_checkpoint_read returns them.
    fn read_order(session: &str) -> Vec<(String, String)> {
        let text = Spi::get_one_with_args::<String>(
            "SELECT coalesce(json_agg(json_build_array(r.checkpoint_ns, r.checkpoint_id)
                                      ORDER BY r.ordinality), '[]')::text
             FROM pgmem_checkpoint_read($1, NULL, max_rows => 10000) WITH ORDINALITY AS r",
            &[session.into()],
        )
        .unwrap()
        .unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn latest(session: &str, ns: &str) -> Option<String> {
        Spi::get_one_with_args::<String>(
            "SELECT (SELECT checkpoint_id FROM pgmem_checkpoint_read($1, $2))",
            &[session.into(), ns.into()],
        )
        .unwrap()
    }

    /// The database holds what the model holds: every checkpoint read back equal, every
    /// row of the writes table (of checkpoints not saved too), each session's order and
    /// each namespace's latest.
    fn check(model: &Model, context: &str) {
        let mut expected: Vec<Value> = model
            .checkpoints
            .iter()
            .map(|(key, c)| model.row(key, c))
            .collect();
        expected.sort_by_key(|r| r["key"].to_string());
        let read = read_all(&model.sessions);
        assert_eq!(read.len(), expected.len(), "{context}: checkpoints read");
        for (got, want) in read.iter().zip(&expected) {
            assert_eq!(got, want, "{context}");
        }
        assert_eq!(
            stored_writes(&model.sessions),
            model.all_writes(),
            "{context}: writes"
        );
        for session in &model.sessions {
            assert_eq!(
                read_order(session),
                model.newest_first(session),
                "{context}: {session}"
            );
            for ns in NAMESPACES {
                let ids = model.ids(session, ns);
                assert_eq!(
                    latest(session, ns).as_ref(),
                    ids.first(),
                    "{context}: {session}/{ns}"
                );
            }
        }
    }

    /// Where a random operation acts.
    struct Target {
        session: String,
        ns: String,
        ids: Vec<String>,
    }

    fn target(rng: &mut Rng, model: &Model) -> Target {
        let session = model.sessions[rng.below(model.sessions.len())].clone();
        let ns = NAMESPACES[rng.below(NAMESPACES.len())].to_string();
        let ids = model.ids(&session, &ns);
        Target { session, ns, ids }
    }

    fn pick(rng: &mut Rng, ids: &[String]) -> Option<String> {
        ids.get(rng.below(ids.len())).cloned()
    }

    /// A save: new or over an existing id, with a parent of the namespace, of another
    /// one, or none.
    fn save(rng: &mut Rng, model: &mut Model, t: &Target, step: usize, turns: &[String]) -> String {
        let parent = match rng.below(8) {
            0..=3 => pick(rng, &t.ids),
            4 => Some(format!("c{:03}", rng.below(step + 1))),
            _ => None,
        };
        let id = match rng.below(4) {
            0 => pick(rng, &t.ids).unwrap_or_else(|| format!("c{step:03}")),
            _ => format!("c{step:03}"),
        };
        let base = parent.as_ref().and_then(|p| {
            model
                .checkpoints
                .get(&(t.session.clone(), t.ns.clone(), p.clone()))
        });
        let doc = next_doc(rng, base.map(|c| &c.doc), turns);
        let metadata = json!({"run": RUNS[rng.below(RUNS.len())], "step": step});
        let sql = match rng.below(2) {
            0 => "SELECT pgmem_checkpoint_save($1, $2::text::pgmem_snapshot, $3, NULL, $4::jsonb, $5, $6)",
            _ => "SELECT pgmem_checkpoint_save_json($1, $2, $3, NULL, $4::jsonb, $5, $6)",
        };
        Spi::run_with_args(
            sql,
            &[
                t.session.as_str().into(),
                doc.as_str().into(),
                id.as_str().into(),
                metadata.to_string().into(),
                parent.clone().into(),
                t.ns.as_str().into(),
            ],
        )
        .unwrap();
        let key = (t.session.clone(), t.ns.clone(), id.clone());
        let place = model.checkpoints.get(&key).map_or(step, |c| c.place);
        let (s, ns) = (&t.session, &t.ns);
        model.checkpoints.insert(
            key,
            Checkpoint {
                doc,
                parent: parent.clone(),
                metadata,
                place,
            },
        );
        format!("save {s}/{ns}/{id} parent {parent:?}")
    }

    /// 1 to 3 writes, JSON or bytes, and whether their idx are given (negative ones and
    /// repeats included) or left to put_writes (0, 1, ...).
    fn random_writes(rng: &mut Rng, step: usize, task_path: &str) -> (bool, Vec<(i32, Write)>) {
        let given_idx = rng.below(2) == 0;
        let writes = (0..1 + rng.below(3))
            .map(|i| {
                let idx = if given_idx {
                    rng.below(4) as i32 - 2
                } else {
                    i as i32
                };
                let (value_type, value, blob) = match rng.below(2) {
                    0 => (
                        "json",
                        Some(json!({"step": step, "i": i}).to_string()),
                        None,
                    ),
                    _ => ("bytes", None, Some(vec![step as u8, i as u8, 0xff])),
                };
                let write = Write {
                    task_path: task_path.to_string(),
                    channel: format!("channel-{}", rng.below(3)),
                    value_type: value_type.into(),
                    value,
                    blob,
                };
                (idx, write)
            })
            .collect();
        (given_idx, writes)
    }

    /// One task's writes against a checkpoint of the namespace or an id that may not be
    /// saved.
    fn put_writes(rng: &mut Rng, model: &mut Model, t: &Target, step: usize) -> String {
        // Mostly the latest, as a running graph writes; now and then an older one or an
        // id that may not be saved.
        let id = match rng.below(4) {
            0 => format!("c{:03}", rng.below(step + 1)),
            1 => pick(rng, &t.ids).unwrap_or_else(|| format!("c{step:03}")),
            _ => t
                .ids
                .first()
                .cloned()
                .unwrap_or_else(|| format!("c{step:03}")),
        };
        let task = format!("task-{}", rng.below(2));
        let task_path = ["", "p~1", "p~2"][rng.below(3)];
        let (given_idx, writes) = random_writes(rng, step, task_path);
        Spi::run_with_args(
            "SELECT pgmem_checkpoint_put_writes($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                t.session.as_str().into(),
                id.as_str().into(),
                task.as_str().into(),
                column(&writes, |w| w.channel.clone()).into(),
                column(&writes, |w| w.value_type.clone()).into(),
                column(&writes, |w| w.value.clone()).into(),
                column(&writes, |w| w.blob.clone()).into(),
                given_idx
                    .then(|| writes.iter().map(|(i, _)| *i).collect::<Vec<_>>())
                    .into(),
                task_path.into(),
                t.ns.as_str().into(),
            ],
        )
        .unwrap();
        let writes_len = writes.len();
        // As if one at a time: a negative idx replaces, any other only when new.
        let stored = model
            .writes
            .entry((t.session.clone(), t.ns.clone(), id.clone()))
            .or_default();
        for (idx, write) in writes {
            if idx < 0 {
                stored.insert((task.clone(), idx), write);
            } else {
                stored.entry((task.clone(), idx)).or_insert(write);
            }
        }
        format!(
            "put_writes {}/{}/{id} {task} x{} idx given {given_idx}",
            t.session, t.ns, writes_len
        )
    }

    /// One argument array of put_writes: a field of every write.
    fn column<T>(writes: &[(i32, Write)], field: impl Fn(&Write) -> T) -> Vec<T> {
        writes.iter().map(|(_, w)| field(w)).collect()
    }

    fn delete_one(rng: &mut Rng, model: &mut Model, t: &Target) -> Option<String> {
        let id = pick(rng, &t.ids)?;
        let deleted = Spi::get_one_with_args::<i64>(
            "SELECT pgmem_checkpoint_delete($1, $2, $3)",
            &[
                t.session.as_str().into(),
                id.as_str().into(),
                t.ns.as_str().into(),
            ],
        )
        .unwrap();
        let expected = model.remove(vec![(t.session.clone(), t.ns.clone(), id.clone())]);
        assert_eq!(deleted, Some(expected));
        Some(format!("delete {}/{}/{id}", t.session, t.ns))
    }

    /// Deletes a namespace of the session, or (ns None) the whole session; the writes of
    /// checkpoints not saved go too.
    fn delete_all(model: &mut Model, session: &str, ns: Option<&str>) -> String {
        let deleted = Spi::get_one_with_args::<i64>(
            "SELECT pgmem_checkpoint_delete($1, NULL, $2)",
            &[session.into(), ns.into()],
        )
        .unwrap();
        let within = |(s, n, _): &Key| s == session && ns.is_none_or(|ns| n == ns);
        let keys: Vec<Key> = model
            .checkpoints
            .keys()
            .filter(|k| within(k))
            .cloned()
            .collect();
        assert_eq!(deleted, Some(model.remove(keys)));
        model.writes.retain(|k, _| !within(k));
        format!("delete {session} namespace {ns:?}")
    }

    /// Copies a session into a new one, which later steps act on too.
    fn copy(model: &mut Model, session: &str, step: usize) -> String {
        let target = format!("{session}-copy-{step:03}");
        let copied = Spi::get_one_with_args::<i64>(
            "SELECT pgmem_checkpoint_copy($1, $2)",
            &[session.into(), target.as_str().into()],
        )
        .unwrap();
        let retarget = |(_, ns, id): &Key| (target.clone(), ns.clone(), id.clone());
        let checkpoints: Vec<(Key, Checkpoint)> = model
            .checkpoints
            .iter()
            .filter(|((s, _, _), _)| s == session)
            .map(|(k, c)| (retarget(k), c.clone()))
            .collect();
        assert_eq!(copied, Some(checkpoints.len() as i64));
        model.checkpoints.extend(checkpoints);
        let writes: Vec<_> = model
            .writes
            .iter()
            .filter(|((s, _, _), _)| s == session)
            .map(|(k, w)| (retarget(k), w.clone()))
            .collect();
        model.writes.extend(writes);
        model.sessions.push(target.clone());
        format!("copy {session} to {target}")
    }

    /// Prunes a session to the newest `keep` of each namespace.
    fn prune(model: &mut Model, session: &str, keep: usize) -> String {
        let pruned = Spi::get_one_with_args::<i64>(
            "SELECT pgmem_checkpoint_prune(ARRAY[$1], $2)",
            &[session.into(), (keep as i32).into()],
        )
        .unwrap();
        let keys: Vec<Key> = NAMESPACES
            .iter()
            .flat_map(|ns| {
                model
                    .ids(session, ns)
                    .into_iter()
                    .skip(keep)
                    .map(|id| (session.to_string(), ns.to_string(), id))
            })
            .collect();
        assert_eq!(pruned, Some(model.remove(keys)));
        format!("prune {session} keep {keep}")
    }

    /// Deletes, in every session, the checkpoints of one or two runs.
    fn delete_by_metadata(rng: &mut Rng, model: &mut Model) -> String {
        let first = rng.below(RUNS.len());
        let runs = [RUNS[first], RUNS[(first + 1 + rng.below(2)) % RUNS.len()]];
        let runs = &runs[..1 + rng.below(2)];
        let filters: Vec<Value> = runs.iter().map(|run| json!({"run": run})).collect();
        let deleted = Spi::get_one_with_args::<i64>(
            "SELECT pgmem_checkpoint_delete_by_metadata(ARRAY(SELECT jsonb_array_elements($1::jsonb)))",
            &[Value::from(filters).to_string().into()],
        )
        .unwrap();
        let keys: Vec<Key> = model
            .checkpoints
            .iter()
            .filter(|(_, c)| runs.iter().any(|run| c.metadata["run"] == *run))
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(deleted, Some(model.remove(keys)));
        format!("delete_by_metadata {runs:?}")
    }

    /// Random saves (new, over existing ids, with a parent in or out of the namespace),
    /// pending writes, deletes of one checkpoint, a namespace or a session, copies to a
    /// new session, prunes keeping 1 or 2, deletes by metadata and keyframe intervals,
    /// over 2 sessions and 3 namespaces; after every step the database equals the model.
    #[pg_test]
    fn random_operations_match_a_model() {
        let turns = turns();
        for seed in [3u64, 2027] {
            let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let sessions = vec![format!("s{seed}-0"), format!("s{seed}-1")];
            let mut model = Model {
                sessions,
                ..Model::default()
            };
            for step in 0..100 {
                let t = target(&mut rng, &model);
                let what = match rng.below(20) {
                    0..=7 => save(&mut rng, &mut model, &t, step, &turns),
                    8..=11 => put_writes(&mut rng, &mut model, &t, step),
                    12 | 13 => match delete_one(&mut rng, &mut model, &t) {
                        Some(what) => what,
                        None => continue,
                    },
                    14 => delete_all(&mut model, &t.session, Some(&t.ns)),
                    15 => delete_all(&mut model, &t.session, None),
                    16 => copy(&mut model, &t.session, step),
                    17 => prune(&mut model, &t.session, 1 + rng.below(2)),
                    18 => delete_by_metadata(&mut rng, &mut model),
                    _ => set_keyframe_interval(1 + rng.below(4)),
                };
                check(&model, &format!("seed {seed} step {step} ({what})"));
            }
            // The next seed's deletes by metadata reach every session.
            for session in model.sessions.clone() {
                delete_all(&mut model, &session, None);
            }
            check(&model, &format!("seed {seed} emptied"));
        }
    }
}
