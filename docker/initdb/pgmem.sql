-- Run once by the postgres image's entrypoint when it initializes a new data directory,
-- in POSTGRES_DB (default: postgres).
CREATE EXTENSION IF NOT EXISTS pgmem;
