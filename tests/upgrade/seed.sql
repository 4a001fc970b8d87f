-- Rows written by the old version (run before ALTER EXTENSION pgmem UPDATE), through
-- functions every version has, from real agent traces; upgrade_expected keeps what
-- must come back afterwards. psql -v traces=DIR names the trace directory.
\set ON_ERROR_STOP on
\set taubench `cat :traces/taubench_gpt-4o-airline.sample.json`
\set toolbench `cat :traces/toolbench_cot_G1_instruction.sample.json`
SELECT count(pgmem_checkpoint_save('session-' || r.n % 3, r.run, 'turn-' || r.n,
                                   metadata => jsonb_build_object('task', r.run -> 'task_id')))
FROM jsonb_array_elements(:'taubench'::jsonb) WITH ORDINALITY AS r(run, n);
SELECT count(pgmem_episode_store('user-' || length(t.id) % 2, t.run ->> 'query', t.run, t.id))
FROM jsonb_each(:'toolbench'::jsonb) AS t(id, run)
WHERE t.run ->> 'query' IS NOT NULL;
CREATE TABLE upgrade_expected AS
    SELECT 'checkpoint' AS kind, c.session_id AS owner, c.checkpoint_id AS id,
           l.snapshot::jsonb AS doc
    FROM pgmem_checkpoints c
    CROSS JOIN LATERAL pgmem_checkpoint_load(c.session_id, c.checkpoint_id) l
    UNION ALL
    SELECT 'episode', user_id, episode_id,
           jsonb_build_object('content', content, 'metadata', metadata)
    FROM pgmem_episodes;
-- Values older versions accepted that 0.3.0 refuses or prints differently (a zero with
-- a huge exponent, which 0.2.0 could not print; more than 1000 digits; a document
-- whose text outgrows its size), as older versions stored them: written as bytes, since
-- the library installed is always the new one. They must stay readable, and dumpable,
-- after the update; upgrade_legacy keeps what jsonb makes of each.
CREATE CAST (bytea AS pgmem_snapshot) WITHOUT FUNCTION;
CREATE FUNCTION pg_temp.le(n integer, width integer) RETURNS bytea
LANGUAGE sql AS $$
    SELECT string_agg(set_byte('\x00'::bytea, 0, (n >> (8 * i)) & 255), '' ORDER BY i)
    FROM generate_series(0, width - 1) AS i
$$;
-- A stored value around CBOR: pgmem's header, then a zstd frame of one raw block
-- (descriptor 0xa0: single segment, 4-byte content size, no checksum).
CREATE FUNCTION pg_temp.stored(cbor bytea) RETURNS pgmem_snapshot
LANGUAGE sql AS $$
    SELECT ('\x50474d0101'::bytea || int4send(length(cbor)) || '\x28b52ffda0'::bytea
            || pg_temp.le(length(cbor), 4) || pg_temp.le(1 + 8 * length(cbor), 3)
            || cbor)::pgmem_snapshot
$$;
SELECT count(pgmem_checkpoint_save('legacy', pg_temp.stored(v.cbor::bytea), v.id))
FROM (VALUES ('zero-huge-exponent', '\x81c4821a7735940000'),
             ('zero-exponent-in-object', '\xa26161c4821a3ffffffc00616200'),
             ('long-integer', '\x81c259033f0b43875caccfd1722c820431ce4c185b5328840f3408d0b7cdac3a073ca69d36bc1a202b721117a3ef1bb02f703b3eecac60572294b0e41e07b80f69d1dc0a6b28f0ffda807b08e6500d14712e79efc2695f429602bc602e7d36c7a1b93da7ad5006ada629bd37173014e5d4f17167951268d58491220ab2506a28b4b2c66f16d597eeccbd0844a328940d75ee17bff14b994cfd9dedaea6831664f808f69d8411acfe90bd81336fa75ffd33e9c78de96806110cb480a7fef6ce0eea5113e856a73557b60b85cdaaad27a1b2e6333b1950bb1702919539f15877a8c421ef047c2b873fe3de66b491ee1f143a445061d05c4c37261153fba6143db915678d460bf2a1a8b3ea82e2c3ed3fcb0efcc85a68ea3a641bd3fd522057fb268c98a45633ec5f63f930b76146cd4acd5061520103e855b8260f65fe6f0dca079a0509a1ecb74cd3efd6316593de2565cc1e3ecc9be9aad65e778edc15840e88a3bd6538562c8330ab35081f6687f03a422fff08ee5508ae8fd6b4273ec70b3b30be89bb01fb160045cccdd39803eaa54a58f504aa7826b223ac2b2a0cf349d8cb35b09ed392c7f0a1b5c71835b191b2d6e992b9e2a431e0cdf9a9f5874a6e5c07894954e9b7d8ee1e443bc40111f0d1241e5f14592d005e1f9d58c2a7e7e1018f3432d926dbb85a1ce476a2082de9c633b5c1061d47338600a9eee31170e24a66cab950d581f2ee337610de47f1ef85de6f05d2656a158f156108054fefa725b6e6420bce4cc66c0e59d1e16b8a17bf0f81246b4b6771a61a9f2d8e49123e118baee4c21e18ef4f65eb71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71c71'),
             ('text-outgrows-size', '\x8ac4821a0001ffff01c4821a0001ffff01c4821a0001ffff01c4821a0001ffff01c4821a0001ffff01c4821a0001ffff01c4821a0001ffff01c4821a0001ffff01c4821a0001ffff01c482211896')) AS v(id, cbor);
DROP CAST (bytea AS pgmem_snapshot);
CREATE TABLE upgrade_legacy (id, doc) AS
VALUES ('zero-huge-exponent', '[0]'::jsonb),
       ('zero-exponent-in-object', '{"a": 0, "b": 0}'),
       ('long-integer', ('[' || repeat('7', 2000) || ']')::jsonb),
       ('text-outgrows-size', ('[' || repeat('1e131071,', 9) || '1.50]')::jsonb);
