-- Managers are scoped to places (SPEC §8, Kisi's place managers): a manager
-- sees and changes only the doors of the places listed here for them, the
-- groups of those places, those groups' members and links, and those
-- doors' events. Owners and admins reach everything; rows for anyone who is
-- not a manager mean nothing (and are removed when the role changes).
CREATE TABLE manager_places (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    place_id BIGINT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, place_id)
);
CREATE INDEX manager_places_place_idx ON manager_places (place_id);

-- A group may belong to a place (Kisi's group `place_id`): its doors are
-- then that place's, and the place's managers manage it. A group without a
-- place is the organization's; a manager manages it only when it has doors
-- and all of them are in the manager's places.
ALTER TABLE access_groups ADD COLUMN place_id BIGINT REFERENCES places (id) ON DELETE SET NULL;
CREATE INDEX access_groups_place_idx ON access_groups (place_id);

-- Managers who existed before places were assigned keep what they had:
-- every place.
INSERT INTO manager_places (user_id, place_id)
SELECT u.id, p.id FROM users u CROSS JOIN places p WHERE u.role = 'manager';
