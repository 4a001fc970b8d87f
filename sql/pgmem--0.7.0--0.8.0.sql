-- pgmem 0.7.0 -> 0.8.0:
-- - Compression dictionaries: pgmem_dictionary_train keeps a zstd dictionary trained
--   from sample snapshots in pgmem_dictionaries; with pgmem.compression_dictionary set
--   to its id, new snapshots and checkpoint keyframes are compressed with it.

-- The id of a dictionary's bytes (src/dictionary.rs).
CREATE FUNCTION pgmem_dictionary_id(dictionary bytea) RETURNS integer
    AS 'MODULE_PATHNAME', 'pgmem_dictionary_id_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;

-- Append-only: every value compressed with a dictionary needs it to be read. Dumped
-- with the data, so a restored database reads what the dumped one did. A catalog
-- table for logical decoding, whose output functions may need to read it.
CREATE TABLE pgmem_dictionaries (
    id           integer NOT NULL
                 CONSTRAINT pgmem_dictionaries_id_check
                 CHECK (id = @extschema@.pgmem_dictionary_id(dictionary)),
    dictionary   bytea NOT NULL,
    sample_count integer NOT NULL,
    trained_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT pgmem_dictionaries_pkey PRIMARY KEY (id)
) WITH (user_catalog_table = true);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pgmem_dictionaries', '');
-- Every role that reads snapshots may need a dictionary. A dictionary holds fragments
-- of the documents it was trained from: train from what every reader may see.
GRANT SELECT ON pgmem_dictionaries TO PUBLIC;

CREATE FUNCTION pgmem_dictionaries_append_only() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'pgmem_dictionaries is append-only'
        USING ERRCODE = 'object_not_in_prerequisite_state',
              DETAIL = 'Snapshots compressed with a dictionary cannot be read without it.';
END
$$;
CREATE TRIGGER pgmem_dictionaries_append_only BEFORE UPDATE OR DELETE ON pgmem_dictionaries
    FOR EACH ROW EXECUTE FUNCTION @extschema@.pgmem_dictionaries_append_only();
CREATE TRIGGER pgmem_dictionaries_no_truncate BEFORE TRUNCATE ON pgmem_dictionaries
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.pgmem_dictionaries_append_only();

-- The rest of the library's part (src/dictionary.rs).
CREATE FUNCTION pgmem_dictionary_build(samples pgmem_snapshot[], max_bytes integer) RETURNS bytea
    AS 'MODULE_PATHNAME', 'pgmem_dictionary_build_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_snapshot_dictionary(pgmem_snapshot) RETURNS integer
    AS 'MODULE_PATHNAME', 'pgmem_snapshot_dictionary_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;

-- Train a dictionary from sample snapshots and keep it; its id (an existing one when
-- the same dictionary was trained before). Nothing uses it until
-- pgmem.compression_dictionary is set to that id.
CREATE FUNCTION pgmem_dictionary_train(samples pgmem_snapshot[], max_bytes integer DEFAULT 65536)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trained bytea;
    trained_id integer;
BEGIN
    IF samples IS NULL OR max_bytes IS NULL THEN
        RAISE EXCEPTION 'samples and max_bytes must not be NULL'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    trained := @extschema@.pgmem_dictionary_build(samples, max_bytes);
    trained_id := @extschema@.pgmem_dictionary_id(trained);
    -- (A catalog table for logical decoding takes no ON CONFLICT.)
    BEGIN
        INSERT INTO @extschema@.pgmem_dictionaries (id, dictionary, sample_count)
        VALUES (trained_id, trained,
                (SELECT pg_catalog.count(s) FROM pg_catalog.unnest(samples) s));
    EXCEPTION WHEN unique_violation THEN
        -- Trained before: the same bytes are kept under this id already.
    END;
    RETURN trained_id;
END
$$;

COMMENT ON TABLE pgmem_dictionaries IS
'Trained zstd compression dictionaries, by id (made from the bytes). Append-only: '
'snapshots compressed with a dictionary need it to be read. Dumped with the data. '
'Readable by every role; a dictionary holds fragments of its training documents.';
COMMENT ON COLUMN pgmem_dictionaries.id IS
'The dictionary''s id: pgmem_dictionary_id(dictionary), named in the header of every '
'snapshot compressed with it.';
COMMENT ON COLUMN pgmem_dictionaries.dictionary IS 'The zstd dictionary.';
COMMENT ON COLUMN pgmem_dictionaries.sample_count IS 'Snapshots it was trained from.';
COMMENT ON COLUMN pgmem_dictionaries.trained_at IS 'When it was trained.';
COMMENT ON INDEX pgmem_dictionaries_pkey IS 'A dictionary by id, as reading a snapshot needs it.';
COMMENT ON FUNCTION pgmem_dictionary_train(pgmem_snapshot[], integer) IS
'Train a zstd dictionary of at most max_bytes (1024..1048576, default 65536) from sample '
'snapshots (NULL elements skipped; a few hundred documents like those to be compressed), '
'keep it in pgmem_dictionaries and return its id; the same dictionary trained again '
'returns its existing id. New snapshots use it once pgmem.compression_dictionary is set '
'to the id. Errors: 22023 for NULL arguments, max_bytes out of range, samples zstd '
'cannot train from or over 256 MB of documents, 42501 without INSERT on '
'pgmem_dictionaries, XX001 for a damaged sample.';
COMMENT ON FUNCTION pgmem_dictionary_build(pgmem_snapshot[], integer) IS
'Internal: the dictionary pgmem_dictionary_train keeps, trained from the samples, at '
'most max_bytes long. '
'Errors: as pgmem_dictionary_train.';
COMMENT ON FUNCTION pgmem_dictionary_id(bytea) IS
'The id pgmem_dictionaries keeps a dictionary under: 31 bits of the XXH3-64 hash of its '
'bytes, never 0. Errors: none.';
COMMENT ON FUNCTION pgmem_snapshot_dictionary(pgmem_snapshot) IS
'Id of the dictionary a snapshot was compressed with, NULL for one compressed without; '
'read from the header alone. Errors: XX001 when the stored header is damaged.';
COMMENT ON FUNCTION pgmem_dictionaries_append_only() IS
'Internal: the trigger that keeps pgmem_dictionaries append-only. Errors: 55000 for any '
'UPDATE, DELETE or TRUNCATE.';
