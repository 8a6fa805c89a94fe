-- Nothing to add: on PostgreSQL services::data_version reads the
-- transaction snapshot (pg_current_snapshot()), which needs no table and
-- no trigger. The SQLite migration of the same number adds its counter.
SELECT 1;
