-- One owner, enforced by the database: two first-run forms submitted at
-- once cannot both create one.
CREATE UNIQUE INDEX users_one_owner ON users (role) WHERE role = 'owner';

-- Per-day use limits of access links are reserved atomically: the uses of
-- the link's current local day (use_day, YYYY-MM-DD in the doors' zone).
ALTER TABLE access_links ADD COLUMN day_uses BIGINT NOT NULL DEFAULT 0;
ALTER TABLE access_links ADD COLUMN use_day TEXT;
