-- P1/P2, pgmem: save one real trajectory (JSON text in) as a new checkpoint.
\set k random(1, :ndocs)
SELECT pgmem_checkpoint_save('save-' || :client_id, (SELECT doc FROM bench_docs WHERE k = :k)::pgmem_snapshot);
