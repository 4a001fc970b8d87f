-- The catalog as \df+ and \dT+ show it: every pgmem function, the type and the tables
-- carry documentation.
CREATE TEMP VIEW pgmem_member AS
SELECT d.classid::regclass AS catalog, d.objid
FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
WHERE d.refclassid = 'pg_extension'::regclass AND x.extname = 'pgmem' AND d.deptype = 'e';
-- Volatility tells the truth: what reads a setting (input, the casts from json and
-- jsonb: pgmem.compression_level, pgmem.max_snapshot_bytes) is stable, not immutable.
SELECT p.oid::regprocedure AS function, p.provolatile AS volatility,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS documented
FROM pg_proc p JOIN pgmem_member m ON m.catalog = 'pg_proc'::regclass AND m.objid = p.oid
ORDER BY p.oid::regprocedure::text;
SELECT t.oid::regtype AS type, obj_description(t.oid, 'pg_type') IS NOT NULL AS documented
FROM pg_type t JOIN pgmem_member m ON m.catalog = 'pg_type'::regclass AND m.objid = t.oid
ORDER BY 1;
SELECT c.oid::regclass AS relation, c.relkind, obj_description(c.oid, 'pg_class') IS NOT NULL AS documented
FROM pg_class c JOIN pgmem_member m ON m.catalog = 'pg_class'::regclass AND m.objid = c.oid
ORDER BY c.oid::regclass::text;
-- Every function runs as its caller.
SELECT count(*) AS security_definer_functions
FROM pg_proc p JOIN pgmem_member m ON m.catalog = 'pg_proc'::regclass AND m.objid = p.oid
WHERE p.prosecdef;
-- Every function's documentation names each of its named arguments and lists its
-- errors ("Errors: ..."): both queries return no rows.
SELECT p.oid::regprocedure AS function, p.proargnames[i] AS undocumented_argument
FROM pg_proc p
JOIN pgmem_member m ON m.catalog = 'pg_proc'::regclass AND m.objid = p.oid
CROSS JOIN LATERAL generate_subscripts(p.proargnames, 1) AS i
WHERE coalesce(p.proargmodes[i], 'i') IN ('i', 'b') AND p.proargnames[i] <> ''
  AND coalesce(obj_description(p.oid, 'pg_proc'), '') !~ ('\m' || p.proargnames[i] || '\M')
ORDER BY 1, 2;
SELECT p.oid::regprocedure AS function_without_errors
FROM pg_proc p JOIN pgmem_member m ON m.catalog = 'pg_proc'::regclass AND m.objid = p.oid
WHERE coalesce(obj_description(p.oid, 'pg_proc'), '') !~ '\mErrors: (none\.|[0-9A-Z]{5}\M|as pgmem_)'
ORDER BY 1;
-- The tables' columns and indexes, and the casts, are documented too.
SELECT a.attrelid::regclass AS relation, a.attname AS undocumented_column
FROM pg_attribute a JOIN pgmem_member m ON m.catalog = 'pg_class'::regclass AND m.objid = a.attrelid
WHERE a.attnum > 0 AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL
ORDER BY 1, 2;
SELECT i.indexrelid::regclass AS index, obj_description(i.indexrelid, 'pg_class') IS NOT NULL AS documented
FROM pg_index i JOIN pgmem_member m ON m.catalog = 'pg_class'::regclass AND m.objid = i.indrelid
ORDER BY i.indexrelid::regclass::text;
SELECT c.castsource::regtype AS source, c.casttarget::regtype AS target,
       obj_description(c.oid, 'pg_cast') IS NOT NULL AS documented
FROM pg_cast c JOIN pgmem_member m ON m.catalog = 'pg_cast'::regclass AND m.objid = c.oid
ORDER BY c.castsource::regtype::text, c.casttarget::regtype::text;
