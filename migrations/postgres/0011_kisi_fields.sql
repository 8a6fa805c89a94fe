-- Kisi's vocabulary (issue 17): what Kisi's API stores that Postern had no
-- column for. A person's `metadata` (a JSON object, as text) and `notes`; a
-- place's and a floor's `description`. (A group's place, Kisi's place
-- groups, came with 0009.)
ALTER TABLE users ADD COLUMN metadata TEXT;
ALTER TABLE users ADD COLUMN notes TEXT;
ALTER TABLE places ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE floors ADD COLUMN description TEXT NOT NULL DEFAULT '';
