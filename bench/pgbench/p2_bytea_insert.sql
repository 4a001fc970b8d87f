-- P2 baseline: the same bytes, uncompressed, into an EXTERNAL bytea of the same shape.
\set k random(1, :ndocs)
INSERT INTO baseline_bytea (session_id, checkpoint_id, doc, saved_at)
VALUES ('save-' || :client_id, gen_random_uuid()::text, (SELECT convert_to(doc, 'UTF8') FROM bench_docs WHERE k = :k), clock_timestamp());
