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
