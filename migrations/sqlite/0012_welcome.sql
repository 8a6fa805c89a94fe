-- Welcome emails (services::welcome). Each one sent is a row; when it
-- carries a set-password link, the row holds only the SHA-256 of its
-- 256-bit token. Sending a new one ends the older rows' links
-- (`replaced_at`); using a link sets `used_at` once, by one conditional
-- UPDATE, so a link works exactly once however many arrive at the same time.
CREATE TABLE welcome_emails (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT,
    sent_at BIGINT NOT NULL,
    expires_at BIGINT,
    used_at BIGINT,
    replaced_at BIGINT,
    sent_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT welcome_emails_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX welcome_emails_user_idx ON welcome_emails (user_id, sent_at);

-- Kisi's `send_emails`: 0 for a person who gets no email from Postern
-- (no welcome, no access email on joining a group).
ALTER TABLE users ADD COLUMN send_emails INTEGER NOT NULL DEFAULT 1;
