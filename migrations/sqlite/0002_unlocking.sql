-- Unlocking: the relay pulse shown as "unlocked until" on every replica,
-- weekly time-restriction windows (JSON) on doors and groups, and event
-- columns for the log's filters.

ALTER TABLE doors ADD COLUMN unlocked_until BIGINT;
ALTER TABLE doors ADD COLUMN time_windows TEXT NOT NULL DEFAULT '[]';
ALTER TABLE access_groups ADD COLUMN time_windows TEXT NOT NULL DEFAULT '[]';
ALTER TABLE events ADD COLUMN link_id BIGINT;
CREATE INDEX events_actor_idx ON events (actor_user_id, at);
CREATE INDEX events_result_idx ON events (result, at);
