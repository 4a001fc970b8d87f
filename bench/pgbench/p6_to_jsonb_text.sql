-- P6 casts, baseline: the same through JSON text, as the cast worked before 0.7.0
-- (printed, then parsed by jsonb_in).
SELECT count(doc::text::jsonb) FROM sizes_pgmem;
