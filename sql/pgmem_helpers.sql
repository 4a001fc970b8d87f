-- Helpers the SQL functions share: argument checks that raise 22023 naming the
-- argument, and a UUIDv7 generator (PostgreSQL 16 has none).

CREATE FUNCTION pgmem_checked_id(value text, argument text, max_chars integer) RETURNS text
    AS 'MODULE_PATHNAME', 'pgmem_checked_id_wrapper'
    LANGUAGE c IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pgmem_checked_limit(value integer, argument text) RETURNS integer
    AS 'MODULE_PATHNAME', 'pgmem_checked_limit_wrapper'
    LANGUAGE c IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pgmem_uuidv7() RETURNS uuid
    AS 'MODULE_PATHNAME', 'pgmem_uuidv7_wrapper'
    LANGUAGE c VOLATILE PARALLEL SAFE;

CREATE FUNCTION pgmem_tenant(user_id text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgmem_tenant_wrapper'
    LANGUAGE c STABLE PARALLEL SAFE;
CREATE FUNCTION pgmem_like_pattern(query text) RETURNS text
    AS 'MODULE_PATHNAME', 'pgmem_like_pattern_wrapper'
    LANGUAGE c IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pgmem_word_score(content text, query text) RETURNS integer
    AS 'MODULE_PATHNAME', 'pgmem_word_score_wrapper'
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION pgmem_tenant(text) IS
'Internal: user_id when it names a user. NULL or empty gives NULL, which matches no row '
'(pgmem.on_missing_tenant = empty) or raises 22023 (= error); over 255 characters raises 22023.';
COMMENT ON FUNCTION pgmem_like_pattern(text) IS
'Internal: ''%query%'' for ILIKE with the query''s \, % and _ escaped, so that it matches as '
'typed; NULL is treated as the empty query. Used by pgmem_episode_search.';
COMMENT ON FUNCTION pgmem_word_score(text, text) IS
'How many distinct words of query are words of content. A word is a run of letters and '
'digits; comparison ignores case (Unicode lowercase). The score of '
'pgmem_episode_similarity_search.';
COMMENT ON FUNCTION pgmem_checked_id(text, text, integer) IS
'Internal: returns value when it is 1 to max_chars characters long; otherwise raises 22023 '
'naming the argument (also for NULL).';
COMMENT ON FUNCTION pgmem_checked_limit(integer, text) IS
'Internal: returns value when it is between 1 and 10000; otherwise raises 22023 naming the '
'argument (also for NULL).';
COMMENT ON FUNCTION pgmem_uuidv7() IS
'A new UUID version 7 (RFC 9562): 48 bits of Unix milliseconds then random bits, so '
'generated ids sort by creation time. pgmem uses it for generated checkpoint ids.';
