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

-- Input and the casts from json/jsonb are STABLE, not IMMUTABLE: what they store depends
-- on pgmem.compression_level and pgmem.max_snapshot_bytes (as timestamptz_in depends on
-- TimeZone). Output, send and the casts back depend on the stored bytes alone.
CREATE FUNCTION pgmem_snapshot_in(cstring) RETURNS pgmem_snapshot
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_in_wrapper'
    LANGUAGE c STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot_out(pgmem_snapshot) RETURNS cstring
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_out_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot_recv(internal) RETURNS pgmem_snapshot
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_recv_wrapper'
    LANGUAGE c STABLE STRICT PARALLEL SAFE;
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
    LANGUAGE c STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot(json) RETURNS pgmem_snapshot
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_from_json_wrapper'
    LANGUAGE c STABLE STRICT PARALLEL SAFE;
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
