-- Kisi's vocabulary (issue 17): what Kisi's API stores that Postern had no
-- column for. A person's `metadata` (a JSON object, as text) and `notes`; a
-- place's and a floor's `description`; the place a group is scoped to
-- (Kisi's place groups: only that place's locks may be linked to it).
ALTER TABLE users ADD COLUMN metadata TEXT;
ALTER TABLE users ADD COLUMN notes TEXT;
ALTER TABLE places ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE floors ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE access_groups ADD COLUMN place_id BIGINT REFERENCES places (id) ON DELETE SET NULL;
