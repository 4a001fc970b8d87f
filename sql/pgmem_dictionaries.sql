-- Compression dictionaries (README, "Compression dictionaries"): zstd dictionaries
-- trained from the database's own snapshots. A snapshot compressed with one names it
-- by id in its header (docs/FORMAT.md), and the id is made from the dictionary's
-- bytes, so a value can only ever be read with the dictionary it was written with.

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
