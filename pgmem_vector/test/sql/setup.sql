-- Run once after the regression database is (re)created: pgmem, pgvector and
-- pgmem_vector in one statement.
CREATE EXTENSION pgmem_vector CASCADE;
SELECT extname, extversion FROM pg_extension WHERE extname IN ('pgmem_vector', 'vector') ORDER BY 1;
