-- The catalog as \df+ and \dT+ show it: every pgmem function, the type and the tables
-- carry documentation.
SELECT p.oid::regprocedure AS function, obj_description(p.oid, 'pg_proc') IS NOT NULL AS documented
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem') AND d.deptype = 'e'
ORDER BY p.oid::regprocedure::text;
SELECT t.oid::regtype AS type, obj_description(t.oid, 'pg_type') IS NOT NULL AS documented
FROM pg_type t JOIN pg_depend d ON d.objid = t.oid AND d.classid = 'pg_type'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem') AND d.deptype = 'e'
ORDER BY 1;
SELECT c.oid::regclass AS relation, c.relkind, obj_description(c.oid, 'pg_class') IS NOT NULL AS documented
FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem') AND d.deptype = 'e'
ORDER BY c.oid::regclass::text;
-- Every function runs as its caller.
SELECT count(*) AS security_definer_functions
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem') AND p.prosecdef;
-- Every function's documentation names each of its named arguments and lists its
-- errors ("Errors: ..."): both queries return no rows.
SELECT p.oid::regprocedure AS function, p.proargnames[i] AS undocumented_argument
FROM pg_proc p
JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
CROSS JOIN LATERAL generate_subscripts(p.proargnames, 1) AS i
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem') AND d.deptype = 'e'
  AND coalesce(p.proargmodes[i], 'i') IN ('i', 'b') AND p.proargnames[i] <> ''
  AND coalesce(obj_description(p.oid, 'pg_proc'), '') !~ ('\m' || p.proargnames[i] || '\M')
ORDER BY 1, 2;
SELECT p.oid::regprocedure AS function_without_errors
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem') AND d.deptype = 'e'
  AND coalesce(obj_description(p.oid, 'pg_proc'), '') !~ '\mErrors: (none\.|[0-9A-Z]{5}\M|as pgmem_)'
ORDER BY 1;
-- The tables' columns and indexes, and the casts, are documented too.
SELECT a.attrelid::regclass AS relation, a.attname AS undocumented_column
FROM pg_attribute a JOIN pg_depend d ON d.objid = a.attrelid AND d.classid = 'pg_class'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem') AND d.deptype = 'e'
  AND a.attnum > 0 AND NOT a.attisdropped AND col_description(a.attrelid, a.attnum) IS NULL
ORDER BY 1, 2;
SELECT i.indexrelid::regclass AS index, obj_description(i.indexrelid, 'pg_class') IS NOT NULL AS documented
FROM pg_index i JOIN pg_depend d ON d.objid = i.indrelid AND d.classid = 'pg_class'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem') AND d.deptype = 'e'
ORDER BY i.indexrelid::regclass::text;
SELECT c.castsource::regtype AS source, c.casttarget::regtype AS target,
       obj_description(c.oid, 'pg_cast') IS NOT NULL AS documented
FROM pg_cast c JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_cast'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem') AND d.deptype = 'e'
ORDER BY c.castsource::regtype::text, c.casttarget::regtype::text;
