-- Access links (SPEC §4): a link gives its holder a group's doors without
-- signing in. Only the SHA-256 of the token is stored; the token itself is
-- shown or sent once, so the database never holds a usable link (the outbox
-- of unsent messages lives in the server's memory for the same reason).

CREATE TABLE access_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'manual')),
    email TEXT,
    phone TEXT,
    group_id BIGINT NOT NULL REFERENCES access_groups (id) ON DELETE CASCADE,
    valid_from BIGINT,
    valid_until BIGINT,
    use_limit BIGINT,
    use_limit_period TEXT CHECK (use_limit_period IN ('total', 'day')),
    uses BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    revoked_at BIGINT,
    revoked_by TEXT,
    CONSTRAINT access_links_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX access_links_group_idx ON access_links (group_id);
CREATE INDEX access_links_channel_idx ON access_links (channel, created_at);
CREATE INDEX events_link_idx ON events (link_id, at);


-- Wrong link tokens per IP, so guessing is slowed on every replica.
CREATE TABLE link_token_misses (
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX link_token_misses_ip_idx ON link_token_misses (ip, at);
