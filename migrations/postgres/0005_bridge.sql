-- The controller bridge: the lock power state a controller reports, each
-- door's sensor and alarm, and each controller's bridge connection (JSON,
-- already in bridge_config). Kept across restarts so a simulated controller
-- comes back as it was left.

ALTER TABLE controllers ADD COLUMN power_lost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE doors ADD COLUMN sensor_open INTEGER;
ALTER TABLE doors ADD COLUMN alarm TEXT;
