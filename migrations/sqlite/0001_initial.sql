-- Postern initial schema. Instants are INTEGER milliseconds since the Unix
-- epoch (UTC); booleans are INTEGER 0/1 so one query text serves SQLite and
-- PostgreSQL through sqlx's Any driver. IDs are 64-bit.

CREATE TABLE organization (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    access_email_enabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'member')),
    confirmed INTEGER NOT NULL DEFAULT 0,
    app_access INTEGER NOT NULL DEFAULT 1,
    primary_device_required INTEGER NOT NULL DEFAULT 0,
    primary_device_id TEXT,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT users_email_key UNIQUE (email)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    verified_at BIGINT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at);

CREATE TABLE places (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    time_zone TEXT NOT NULL,
    geofence_radius_m BIGINT NOT NULL DEFAULT 300 CHECK (geofence_radius_m BETWEEN 1 AND 50000),
    locked_down_at BIGINT,
    locked_down_by TEXT,
    created_at BIGINT NOT NULL,
    CONSTRAINT places_name_key UNIQUE (name)
);

CREATE TABLE floors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    place_id BIGINT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    CONSTRAINT floors_place_name_key UNIQUE (place_id, name)
);

CREATE TABLE controllers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    place_id BIGINT NOT NULL REFERENCES places (id) ON DELETE RESTRICT,
    model TEXT NOT NULL DEFAULT 'controller_pro',
    bridge_kind TEXT NOT NULL DEFAULT 'simulated' CHECK (bridge_kind IN ('simulated', 'mqtt', 'http')),
    bridge_config TEXT NOT NULL DEFAULT '{}',
    online INTEGER NOT NULL DEFAULT 0,
    last_seen_at BIGINT,
    created_at BIGINT NOT NULL,
    CONSTRAINT controllers_name_key UNIQUE (name)
);

CREATE TABLE readers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    controller_id BIGINT NOT NULL REFERENCES controllers (id) ON DELETE CASCADE,
    port BIGINT NOT NULL CHECK (port BETWEEN 1 AND 4),
    name TEXT NOT NULL,
    secret TEXT NOT NULL,
    CONSTRAINT readers_controller_port_key UNIQUE (controller_id, port)
);

CREATE TABLE zones (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    place_id BIGINT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    arming TEXT NOT NULL DEFAULT 'disarmed' CHECK (arming IN ('disarmed', 'stay', 'away')),
    CONSTRAINT zones_place_name_key UNIQUE (place_id, name)
);

CREATE TABLE doors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    place_id BIGINT NOT NULL REFERENCES places (id) ON DELETE RESTRICT,
    floor_id BIGINT REFERENCES floors (id) ON DELETE SET NULL,
    controller_id BIGINT REFERENCES controllers (id) ON DELETE SET NULL,
    relay BIGINT CHECK (relay BETWEEN 1 AND 4),
    reader_id BIGINT REFERENCES readers (id) ON DELETE SET NULL,
    zone_id BIGINT REFERENCES zones (id) ON DELETE SET NULL,
    latitude REAL,
    longitude REAL,
    lock_type TEXT NOT NULL DEFAULT 'strike_fail_secure',
    pulse_seconds BIGINT NOT NULL DEFAULT 5 CHECK (pulse_seconds BETWEEN 1 AND 300),
    held_open_seconds BIGINT NOT NULL DEFAULT 30,
    geofence_enabled INTEGER NOT NULL DEFAULT 0,
    geofence_radius_m BIGINT,
    reader_restriction INTEGER NOT NULL DEFAULT 0,
    time_restriction INTEGER NOT NULL DEFAULT 0,
    exterior INTEGER NOT NULL DEFAULT 0,
    require_2fa INTEGER NOT NULL DEFAULT 0,
    locked_down_at BIGINT,
    locked_down_by TEXT,
    created_at BIGINT NOT NULL,
    CONSTRAINT doors_place_name_key UNIQUE (place_id, name),
    CONSTRAINT doors_controller_relay_key UNIQUE (controller_id, relay),
    CONSTRAINT doors_reader_key UNIQUE (reader_id)
);

CREATE TABLE access_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    valid_from BIGINT,
    valid_until BIGINT,
    geofence_enabled INTEGER NOT NULL DEFAULT 0,
    reader_restriction INTEGER NOT NULL DEFAULT 0,
    time_restriction INTEGER NOT NULL DEFAULT 0,
    primary_device_required INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CONSTRAINT access_groups_name_key UNIQUE (name)
);

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES access_groups (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    valid_from BIGINT,
    valid_until BIGINT,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user_idx ON group_members (user_id);

CREATE TABLE group_doors (
    group_id BIGINT NOT NULL REFERENCES access_groups (id) ON DELETE CASCADE,
    door_id BIGINT NOT NULL REFERENCES doors (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, door_id)
);
CREATE INDEX group_doors_door_idx ON group_doors (door_id);

CREATE TABLE cards (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    CONSTRAINT cards_number_key UNIQUE (number)
);
CREATE INDEX cards_user_idx ON cards (user_id);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT,
    CONSTRAINT api_keys_hash_key UNIQUE (key_hash)
);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_user_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    door_id BIGINT,
    place_id BIGINT,
    method TEXT,
    result TEXT NOT NULL,
    reasons TEXT NOT NULL DEFAULT '[]',
    details TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_at_idx ON events (at, id);
CREATE INDEX events_door_idx ON events (door_id, at);
