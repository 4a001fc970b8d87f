-- Everything pgmem owns, one line per fact, without OIDs and in a stable order, so
-- that an upgraded database and a fresh install can be compared with diff.
WITH members AS (
    SELECT d.classid, d.objid
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_extension x ON x.oid = d.refobjid
    WHERE d.refclassid = 'pg_catalog.pg_extension'::regclass AND x.extname = 'pgmem'
      AND d.deptype = 'e'
), tables AS (
    SELECT c.oid FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.objid
    WHERE m.classid = 'pg_catalog.pg_class'::regclass AND c.relkind = 'r'
), facts(fact) AS (
    SELECT 'member ' || pg_catalog.pg_describe_object(m.classid, m.objid, 0)
        || ' | comment: ' || coalesce(pg_catalog.obj_description(m.objid, c.relname), '-')
    FROM members m JOIN pg_catalog.pg_class c ON c.oid = m.classid
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure || E'\n' || pg_catalog.pg_get_functiondef(p.oid)
        || ' | acl: ' || coalesce(p.proacl::text, '-')
    FROM members m JOIN pg_catalog.pg_proc p ON p.oid = m.objid
    WHERE m.classid = 'pg_catalog.pg_proc'::regclass
    UNION ALL
    SELECT pg_catalog.format('type %s | in %s out %s recv %s send %s | len %s align %s '
        'storage %s category %s preferred %s | acl %s', t.oid::regtype, t.typinput,
        t.typoutput, t.typreceive, t.typsend, t.typlen, t.typalign, t.typstorage,
        t.typcategory, t.typispreferred, coalesce(t.typacl::text, '-'))
    FROM members m JOIN pg_catalog.pg_type t ON t.oid = m.objid
    WHERE m.classid = 'pg_catalog.pg_type'::regclass
    UNION ALL
    SELECT pg_catalog.format('cast %s -> %s | %s context %s method %s',
        c.castsource::regtype, c.casttarget::regtype, c.castfunc::regprocedure,
        c.castcontext, c.castmethod)
    FROM members m JOIN pg_catalog.pg_cast c ON c.oid = m.objid
    WHERE m.classid = 'pg_catalog.pg_cast'::regclass
    UNION ALL
    SELECT pg_catalog.format('table %s | column %s %s not null %s default %s storage %s '
        'compression %s | comment: %s', t.oid::regclass, a.attname,
        pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
        coalesce(pg_catalog.pg_get_expr(ad.adbin, ad.adrelid), '-'), a.attstorage,
        a.attcompression, coalesce(pg_catalog.col_description(t.oid, a.attnum), '-'))
    FROM tables t
    JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = t.oid AND ad.adnum = a.attnum
    UNION ALL
    SELECT pg_catalog.format('table %s | constraint %s %s', t.oid::regclass, k.conname,
        pg_catalog.pg_get_constraintdef(k.oid))
    FROM tables t JOIN pg_catalog.pg_constraint k ON k.conrelid = t.oid
    UNION ALL
    SELECT pg_catalog.format('table %s | %s | comment: %s', t.oid::regclass,
        pg_catalog.pg_get_indexdef(i.indexrelid),
        coalesce(pg_catalog.obj_description(i.indexrelid, 'pg_class'), '-'))
    FROM tables t JOIN pg_catalog.pg_index i ON i.indrelid = t.oid
    UNION ALL
    SELECT pg_catalog.format('table %s | acl %s options %s', c.oid::regclass,
        coalesce(c.relacl::text, '-'), coalesce(c.reloptions::text, '-'))
    FROM tables t JOIN pg_catalog.pg_class c ON c.oid = t.oid
    UNION ALL
    -- Each dumped table with its condition, in name order: an upgrade registers a new
    -- table after the ones registered before it.
    SELECT pg_catalog.format('extension %s | config %s', x.extname,
        (SELECT pg_catalog.string_agg(c.tab::regclass || ' ' || pg_catalog.quote_literal(c.cond), ', '
                                      ORDER BY c.tab::regclass::text COLLATE "C")
         FROM unnest(x.extconfig, x.extcondition) AS c (tab, cond)))
    FROM pg_catalog.pg_extension x WHERE x.extname = 'pgmem'
)
SELECT fact FROM facts ORDER BY fact COLLATE "C";
