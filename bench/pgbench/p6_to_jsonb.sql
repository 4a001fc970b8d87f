-- P6 casts, pgmem: every stored trajectory cast to jsonb (CBOR into jsonb's builder).
SELECT count(doc::jsonb) FROM sizes_pgmem;
