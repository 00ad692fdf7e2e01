-- Domain events (docs/architecture.md, "Domain events"): what happened in one module that others
-- react to. A row is written in the transaction of its cause, so it exists exactly when the cause
-- committed. Rows are never updated.
CREATE TABLE domain_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    -- The stable name (`distributor.sale_recorded`) and its JSON payload.
    name TEXT NOT NULL,
    payload TEXT NOT NULL,
    -- Set for events that happen once per thing (the sale of one order): unique per merchant
    -- and name, so the producer can tell a repeat from a new event.
    event_key TEXT,
    -- When it happened (the producer's time) and when the row was written (the writer's clock;
    -- what the consumers' grace period is measured against).
    occurred_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX domain_events_key ON domain_events (merchant_id, name, event_key)
    WHERE event_key IS NOT NULL;
CREATE INDEX domain_events_merchant_idx ON domain_events (merchant_id, id);

-- One row per asynchronous consumer: how far it has read, and the lease of the dispatcher that
-- holds it. Every event with an id up to `position` is done for the consumer.
CREATE TABLE event_consumers (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    locked_by TEXT,
    -- Consecutive failed rounds, and when the next may start.
    failures INTEGER NOT NULL DEFAULT 0,
    retry_at TIMESTAMP,
    last_error TEXT
);

-- Events a consumer handled beyond its position: written in the transaction of the handling, so
-- an event is never handled twice by the same consumer; removed once the position passes them.
CREATE TABLE event_receipts (
    consumer TEXT NOT NULL REFERENCES event_consumers (name),
    event_id BIGINT NOT NULL REFERENCES domain_events (id),
    handled_at TIMESTAMP NOT NULL,
    PRIMARY KEY (consumer, event_id)
);

-- Sales recorded before events existed become their events, so a repeat of such a sale is still
-- recognised as one.
INSERT INTO domain_events (merchant_id, name, payload, event_key, occurred_at, recorded_at)
SELECT merchant_id, 'distributor.sale_recorded',
       json_object('distributor_id', distributor_id, 'order_ref', order_ref,
                   'amount_fen', amount_fen),
       order_ref, occurred_at, created_at
FROM distributor_sales ORDER BY id;

-- The promotion of deeper uplines starts after them: the periodic sweep has seen to those.
INSERT INTO event_consumers (name, position)
SELECT 'distribution.deep_upline_promotion', COALESCE(MAX(id), 0) FROM domain_events;
