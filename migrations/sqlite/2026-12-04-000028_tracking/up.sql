-- Tracking (docs/architecture.md, "Tracking"): each package's events as its tracker reports
-- them, the merchant's tracker settings, and what names a package to the tracker's pushes.

CREATE TABLE tracking_settings (
    merchant_id BIGINT PRIMARY KEY REFERENCES merchants (id),
    -- Kuaidi100: the account (`customer`) and its key, sealed.
    kuaidi100_customer TEXT,
    kuaidi100_key_encrypted TEXT,
    -- The generic signed webhook: the secret its pushes are signed with, sealed.
    webhook_secret_encrypted TEXT,
    updated_at TIMESTAMP NOT NULL
);

-- Random, unguessable: the address of a package's pushes names it; set when it is subscribed.
ALTER TABLE order_packages ADD COLUMN tracking_token TEXT;
ALTER TABLE order_packages ADD COLUMN subscribed_at TIMESTAMP;
CREATE UNIQUE INDEX order_packages_tracking_token_key ON order_packages (tracking_token);

CREATE TABLE package_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    package_id BIGINT NOT NULL REFERENCES order_packages (id),
    state TEXT NOT NULL CHECK (state IN
        ('awaiting_pickup', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered',
         'problem', 'returning', 'returned', 'refused')),
    -- The tracker's own state code, as it sent it.
    provider_state TEXT,
    description TEXT NOT NULL,
    location TEXT,
    occurred_at TIMESTAMP NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('kuaidi100', 'webhook')),
    received_at TIMESTAMP NOT NULL
);
-- A push repeats the whole timeline: an event already kept is not kept twice.
CREATE UNIQUE INDEX package_events_key ON package_events (package_id, occurred_at, description);
