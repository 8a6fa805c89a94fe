-- Event webhooks (Kisi's integration): endpoints staff register, and the
-- durable queue of deliveries the event writer fills in the same commit as
-- the events (services::webhooks).

-- One random namespace per database: an event's `uuid` is the UUID (v5) of
-- its id in this namespace, the same at every retry and to every endpoint.
CREATE TABLE webhook_namespace (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    namespace TEXT NOT NULL
);
INSERT INTO webhook_namespace (id, namespace) VALUES (1, lower(hex(randomblob(16))));

CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    -- The HMAC key, stored as given (README, "Secrets at rest").
    secret TEXT NOT NULL,
    -- The event types delivered, space-separated with a space at each end
    -- (" lock.unlock controller.offline "), matched with LIKE.
    event_types TEXT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    -- The endpoint's back-off: nothing is sent to it before this instant.
    retry_at BIGINT,
    -- The replica delivering to this endpoint, until when (ms).
    lease_holder TEXT,
    lease_until BIGINT
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    -- pending, delivered, failed (gave up after a day)
    state TEXT NOT NULL DEFAULT 'pending',
    attempts BIGINT NOT NULL DEFAULT 0,
    delivered_at BIGINT
);
-- No unique (webhook_id, event_id): the one INSERT … SELECT that queues an
-- event's deliveries runs once, in the event's own commit, and an index
-- more is a page more written by every commit of the unlock path.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, id) WHERE state = 'pending';

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- No foreign key: deleting an endpoint deletes its attempts first.
    delivery_id BIGINT NOT NULL,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- Which attempt of its delivery (1 = the first).
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    -- The HTTP status, or NULL when no answer came (refused, timed out…).
    status_code BIGINT,
    error TEXT NOT NULL DEFAULT '',
    duration_ms BIGINT NOT NULL,
    replica TEXT NOT NULL
);
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (webhook_id, id);
