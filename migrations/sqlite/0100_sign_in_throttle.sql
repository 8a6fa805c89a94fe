-- Sign-in throttling (services::login_throttle): one row per counter
-- ("pair:<email> <ip>", "account:<email>", "ip:<ip>", "device:<hash> <email>",
-- "confirm:<user id>"), bumped by one upsert before a password is checked, so
-- concurrent attempts cannot all pass a limit. `expires_at` ends the window
-- (and a lock-out, which may extend it).
CREATE TABLE sign_in_counters (
    counter TEXT PRIMARY KEY,
    attempts INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sign_in_counters_expires_idx ON sign_in_counters (expires_at);

-- Browsers that signed in to an account before (OWASP "device cookies"):
-- the SHA-256 of the browser's device cookie, bound to the account's email.
CREATE TABLE sign_in_devices (
    device_hash TEXT NOT NULL,
    email TEXT NOT NULL,
    last_used_at INTEGER NOT NULL,
    PRIMARY KEY (device_hash, email)
);
CREATE INDEX sign_in_devices_used_idx ON sign_in_devices (last_used_at);
