-- Helpers the SQL functions share: argument checks that raise 22023 naming the
-- argument (the limits live in the library, once, looked up by the argument's name),
-- and a UUIDv7 generator (PostgreSQL 16 has none).

CREATE FUNCTION pgmem_checked_id(value text, argument text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgmem_checked_id_wrapper'
    LANGUAGE c IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pgmem_id_fits(value text, argument text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'pgmem_id_fits_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pgmem_checked_limit(value integer, argument text) RETURNS integer
    AS 'MODULE_PATHNAME', 'pgmem_checked_limit_wrapper'
    LANGUAGE c IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pgmem_uuidv7() RETURNS uuid
    AS 'MODULE_PATHNAME', 'pgmem_uuidv7_wrapper'
    LANGUAGE c VOLATILE PARALLEL SAFE;

CREATE FUNCTION pgmem_tenant(user_id text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgmem_tenant_wrapper'
    LANGUAGE c STABLE PARALLEL SAFE;
CREATE FUNCTION pgmem_episode_cap() RETURNS integer
    AS 'MODULE_PATHNAME', 'pgmem_episode_cap_wrapper'
    LANGUAGE c STABLE PARALLEL SAFE;
CREATE FUNCTION pgmem_like_pattern(query text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgmem_like_pattern_wrapper'
    LANGUAGE c IMMUTABLE PARALLEL SAFE;

-- The time before which retention functions delete: now() - older_than, which must be
-- a positive interval (or zero).
CREATE FUNCTION pgmem_expiry_cutoff(older_than interval) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF older_than IS NULL OR older_than < interval '0' THEN
        RAISE EXCEPTION 'older_than must be an interval of 0 or more, not %',
            coalesce(older_than::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN now() - older_than;
END
$$;
