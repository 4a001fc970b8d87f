-- P6 casts, pgmem: every trajectory's jsonb cast to pgmem_snapshot (jsonb walked).
SELECT count(doc::pgmem_snapshot) FROM sizes_jsonb_pglz;
