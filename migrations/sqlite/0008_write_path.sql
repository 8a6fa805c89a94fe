-- One owner, enforced by the database: two first-run forms submitted at
-- once cannot both create one.
CREATE UNIQUE INDEX users_one_owner ON users (role) WHERE role = 'owner';

-- Per-day use limits of access links are reserved atomically: the uses of
-- the link's current local day (use_day, YYYY-MM-DD in the doors' zone).
ALTER TABLE access_links ADD COLUMN day_uses BIGINT NOT NULL DEFAULT 0;
ALTER TABLE access_links ADD COLUMN use_day TEXT;

-- Logins (Kisi's word): API keys made by signing in through the API, or by
-- staff on a person's behalf; `key` for those made on the API keys page.
ALTER TABLE api_keys ADD COLUMN kind TEXT NOT NULL DEFAULT 'key';
