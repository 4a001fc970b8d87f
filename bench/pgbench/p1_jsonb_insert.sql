-- P1 baseline: the same JSON text into a jsonb table of the same key and index shape.
\set k random(1, :ndocs)
INSERT INTO baseline_jsonb (session_id, checkpoint_id, doc, saved_at)
VALUES ('save-' || :client_id, gen_random_uuid()::text, (SELECT doc FROM bench_docs WHERE k = :k)::jsonb, clock_timestamp());
