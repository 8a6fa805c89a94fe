-- Ids for group memberships and group–door links, so the API can name one
-- (Kisi's role_assignments and group_locks). Each pair stays unique, now as
-- a named constraint. SQLite cannot add a primary key to a table: each table
-- is rebuilt (create, copy, drop, rename, index again). Nothing refers to
-- these two tables, so dropping them with foreign keys on deletes nothing
-- elsewhere.

CREATE TABLE group_members_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BIGINT NOT NULL REFERENCES access_groups (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    valid_from BIGINT,
    valid_until BIGINT,
    added_at BIGINT NOT NULL,
    CONSTRAINT group_members_group_user_key UNIQUE (group_id, user_id)
);
INSERT INTO group_members_new (group_id, user_id, valid_from, valid_until, added_at)
    SELECT group_id, user_id, valid_from, valid_until, added_at FROM group_members ORDER BY added_at, group_id, user_id;
DROP TABLE group_members;
ALTER TABLE group_members_new RENAME TO group_members;
CREATE INDEX group_members_user_idx ON group_members (user_id);

CREATE TABLE group_doors_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_id BIGINT NOT NULL REFERENCES access_groups (id) ON DELETE CASCADE,
    door_id BIGINT NOT NULL REFERENCES doors (id) ON DELETE CASCADE,
    CONSTRAINT group_doors_group_door_key UNIQUE (group_id, door_id)
);
INSERT INTO group_doors_new (group_id, door_id) SELECT group_id, door_id FROM group_doors ORDER BY group_id, door_id;
DROP TABLE group_doors;
ALTER TABLE group_doors_new RENAME TO group_doors;
CREATE INDEX group_doors_door_idx ON group_doors (door_id);
