-- Scheduled unlocks (SPEC §5): each door's schedules, each place's holidays,
-- the zones' first-in and "closed for the day" dates, and the runner's
-- memory of what it applied to each door, so that after a restart nothing
-- fires twice. Instants are integer milliseconds (UTC); local dates are
-- 'YYYY-MM-DD' text on the place's clock; local times 'HH:MM'.

CREATE TABLE scheduled_unlocks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    door_id BIGINT NOT NULL REFERENCES doors (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('single', 'all_day', 'recurring')),
    -- The kind's fields as JSON (postern::schedule::ScheduleKind).
    spec TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    first_in INTEGER NOT NULL DEFAULT 0,
    last_out_after TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX scheduled_unlocks_door_idx ON scheduled_unlocks (door_id);

CREATE TABLE holidays (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    place_id BIGINT NOT NULL REFERENCES places (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    date TEXT NOT NULL,
    yearly INTEGER NOT NULL DEFAULT 0,
    suppress_time_restrictions INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CONSTRAINT holidays_place_date_name_key UNIQUE (place_id, date, name)
);

-- The local date the zone was disarmed by its first person in, and the
-- local date it was closed for the day (admin button).
ALTER TABLE zones ADD COLUMN first_in_date TEXT;
ALTER TABLE zones ADD COLUMN closed_date TEXT;

-- What the runner applied to a door: the window it holds open (start and
-- end, NULL when none), the start of a window ended early (last out, close
-- the day) so it is not opened again, and the first-in date of a door
-- without a zone.
CREATE TABLE schedule_state (
    door_id BIGINT PRIMARY KEY REFERENCES doors (id) ON DELETE CASCADE,
    applied_start BIGINT,
    applied_end BIGINT,
    skipped_start BIGINT,
    first_in_date TEXT
);
