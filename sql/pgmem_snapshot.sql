-- pgmem_snapshot: one JSON document stored as a zstd frame of CBOR (docs/FORMAT.md).

DO $$
BEGIN
    IF pg_catalog.getdatabaseencoding() <> 'UTF8' THEN
        RAISE EXCEPTION 'pgmem requires a database with UTF8 encoding, not %',
            pg_catalog.getdatabaseencoding()
            USING ERRCODE = 'feature_not_supported';
    END IF;
END
$$;

CREATE TYPE pgmem_snapshot;

CREATE FUNCTION pgmem_snapshot_in(cstring) RETURNS pgmem_snapshot
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_in_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot_out(pgmem_snapshot) RETURNS cstring
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_out_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot_recv(internal) RETURNS pgmem_snapshot
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_recv_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot_send(pgmem_snapshot) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_send_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;

-- STORAGE external: the bytes are already zstd-compressed, so TOAST must not try
-- to compress them again, and a toasted value's header can be read on its own.
CREATE TYPE pgmem_snapshot (
    INPUT = pgmem_snapshot_in,
    OUTPUT = pgmem_snapshot_out,
    RECEIVE = pgmem_snapshot_recv,
    SEND = pgmem_snapshot_send,
    INTERNALLENGTH = VARIABLE,
    STORAGE = external
);

CREATE FUNCTION pgmem_snapshot(jsonb) RETURNS pgmem_snapshot
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_from_jsonb_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot(json) RETURNS pgmem_snapshot
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_from_json_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot_to_jsonb(pgmem_snapshot) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_to_jsonb_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot_to_json(pgmem_snapshot) RETURNS json
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_to_json_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;

-- Implicit from json/jsonb, so a jsonb-typed driver parameter is accepted wherever a
-- snapshot is expected; explicit back, as casts that lose the type usually are.
CREATE CAST (jsonb AS pgmem_snapshot) WITH FUNCTION pgmem_snapshot(jsonb) AS IMPLICIT;
CREATE CAST (json AS pgmem_snapshot) WITH FUNCTION pgmem_snapshot(json) AS IMPLICIT;
CREATE CAST (pgmem_snapshot AS jsonb) WITH FUNCTION pgmem_snapshot_to_jsonb(pgmem_snapshot);
CREATE CAST (pgmem_snapshot AS json) WITH FUNCTION pgmem_snapshot_to_json(pgmem_snapshot);

CREATE FUNCTION pgmem_snapshot_raw_size(pgmem_snapshot) RETURNS integer
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_raw_size_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot_stored_size(pgmem_snapshot) RETURNS integer
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_stored_size_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON TYPE pgmem_snapshot IS
'One JSON document stored as zstd-compressed CBOR (docs/FORMAT.md). Text input: any JSON '
'that jsonb accepts (invalid JSON: 22P02); output: JSON text; ::jsonb gives back a value '
'equal to the input''s jsonb. Binary send/recv carry the stored bytes; recv validates them '
'fully (22P03). Limits: pgmem.max_snapshot_bytes of CBOR (54000), 10000 nesting levels (54000).';
COMMENT ON FUNCTION pgmem_snapshot_in(cstring) IS
'Text input of pgmem_snapshot: parses JSON (22P02 with line and column when invalid, 22P05 '
'for \u0000, 22003 for numbers outside numeric, 54000 past pgmem.max_snapshot_bytes or '
'10000 nesting levels) and compresses it at pgmem.compression_level.';
COMMENT ON FUNCTION pgmem_snapshot_out(pgmem_snapshot) IS
'Text output of pgmem_snapshot: the JSON document, numbers printed as jsonb prints them.';
COMMENT ON FUNCTION pgmem_snapshot_recv(internal) IS
'Binary input of pgmem_snapshot: the stored format of docs/FORMAT.md, checked in full '
'(header, zstd frame, CBOR) before it is accepted; anything else fails with 22P03, and a '
'frame claiming or expanding past pgmem.max_snapshot_bytes with 54000.';
COMMENT ON FUNCTION pgmem_snapshot_send(pgmem_snapshot) IS
'Binary output of pgmem_snapshot: the stored bytes (docs/FORMAT.md), decodable by any '
'client with a zstd and a CBOR library.';
COMMENT ON FUNCTION pgmem_snapshot(jsonb) IS
'Cast jsonb to pgmem_snapshot (implicit). Same errors as pgmem_snapshot_in.';
COMMENT ON FUNCTION pgmem_snapshot(json) IS
'Cast json to pgmem_snapshot (implicit). Same errors as pgmem_snapshot_in; duplicate keys '
'keep the last value, as jsonb does.';
COMMENT ON FUNCTION pgmem_snapshot_to_jsonb(pgmem_snapshot) IS
'Cast pgmem_snapshot to jsonb (explicit): equal to the jsonb of the document saved.';
COMMENT ON FUNCTION pgmem_snapshot_to_json(pgmem_snapshot) IS
'Cast pgmem_snapshot to json (explicit): the JSON text, keys in the order saved.';
COMMENT ON FUNCTION pgmem_snapshot_raw_size(pgmem_snapshot) IS
'Bytes of the CBOR document before compression, read from the header without '
'decompressing (and, for a toasted value, without fetching more than the header).';
COMMENT ON FUNCTION pgmem_snapshot_stored_size(pgmem_snapshot) IS
'Bytes the value occupies as stored: format header plus zstd frame, without the varlena '
'header; read without fetching or decompressing the value.';
