-- Every object of pgmem_vector is documented; each function's comment names its
-- arguments and its errors, it runs as its caller, and its volatility is stated.
SELECT p.oid::regprocedure AS function, p.provolatile AS volatility, p.prosecdef AS definer,
       obj_description(p.oid, 'pg_proc') ~ 'Errors: ' AS errors_documented,
       array(SELECT a.name FROM unnest(p.proargnames, p.proargmodes) AS a(name, mode)
             WHERE coalesce(a.mode, 'i') = 'i'
               AND obj_description(p.oid, 'pg_proc') !~ ('\m' || a.name || '\M')) AS undocumented_arguments
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem_vector') AND d.deptype = 'e'
ORDER BY p.oid::regprocedure::text;
SELECT c.oid::regclass AS relation, c.relkind, obj_description(c.oid, 'pg_class') IS NOT NULL AS documented
FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmem_vector') AND d.deptype = 'e'
ORDER BY c.oid::regclass::text;
-- What pg_dump keeps of it: the embeddings and the index numbers.
SELECT array(SELECT t::regclass::text FROM unnest(extconfig) AS t ORDER BY 1) AS dumped
FROM pg_extension WHERE extname = 'pgmem_vector';
