-- P3, pgmem: the latest checkpoint of a session.
\set s random(1, :nsessions)
SELECT snapshot FROM pgmem_checkpoint_load('session-' || :s);
