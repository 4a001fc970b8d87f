-- P6 casts, baseline: the same through JSON text, as the cast worked before 0.7.0
-- (jsonb_out, then parsed).
SELECT count(doc::text::pgmem_snapshot) FROM sizes_jsonb_pglz;
