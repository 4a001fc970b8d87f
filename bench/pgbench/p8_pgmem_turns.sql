-- P8, pgmem: save after every turn, JSON text in (pgmem_checkpoint_save_json). Each
-- client saves the real sessions in order, turn by turn (bench_turns is numbered in save
-- order), so that each save's base is the previous turn; its sessions are its own, and
-- each lap over the corpus starts new ones.
-- :n counts this client's transactions (pgbench keeps a client's variables; -D n=0).
\set n :n + 1
\set k (:n - 1) % :nturns + 1
\set lap (:n - 1) / :nturns
SELECT pgmem_checkpoint_save_json('turns-' || :client_id || '-' || :lap || '-' || t.session_no,
                                  t.doc, t.checkpoint_id)
FROM bench_turns t WHERE t.k = :k;
