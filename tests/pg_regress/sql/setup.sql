-- Run once after the regression database is (re)created.
CREATE EXTENSION pgmem CASCADE;  -- and btree_gin, which it requires
