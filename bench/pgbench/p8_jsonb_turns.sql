-- P8 baseline: the same turns, in the same order, into the hand-written jsonb table.
\set n :n + 1
\set k (:n - 1) % :nturns + 1
\set lap (:n - 1) / :nturns
INSERT INTO baseline_jsonb (session_id, checkpoint_id, doc, saved_at)
SELECT 'turns-' || :client_id || '-' || :lap || '-' || t.session_no, t.checkpoint_id, t.doc::jsonb,
       clock_timestamp()
FROM bench_turns t WHERE t.k = :k;
