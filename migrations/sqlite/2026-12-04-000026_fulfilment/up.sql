-- Fulfilment (docs/architecture.md, "Fulfilment"): the packages an order is sent in and the units
-- of each line they hold, the deadlines of automatic completion and of after-sales, and the
-- leases that let one server instance at a time run a periodic job.

-- Units of the line sent so far, in packages; never more than were sold.
ALTER TABLE order_lines ADD COLUMN shipped_quantity BIGINT NOT NULL DEFAULT 0
    CHECK (shipped_quantity BETWEEN 0 AND quantity);

-- Shipped: completed automatically unless the buyer confirms receipt first.
ALTER TABLE orders ADD COLUMN complete_by TIMESTAMP;
-- Completed: after-sales requests are taken until then.
ALTER TABLE orders ADD COLUMN after_sale_until TIMESTAMP;
CREATE INDEX orders_complete_by_idx ON orders (complete_by) WHERE status = 'shipped';

CREATE TABLE order_packages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    package_no INTEGER NOT NULL CHECK (package_no >= 1),
    carrier_id BIGINT NOT NULL REFERENCES carriers (id),
    -- The carrier as it was named when the package left.
    carrier_code TEXT NOT NULL,
    carrier_name TEXT NOT NULL,
    tracking_no TEXT NOT NULL,
    -- The latest tracking state (orders::tracking maps providers' states to these).
    tracking_state TEXT NOT NULL DEFAULT 'awaiting_pickup' CHECK (tracking_state IN
        ('awaiting_pickup', 'picked_up', 'in_transit', 'out_for_delivery', 'delivered',
         'problem', 'returning', 'returned', 'refused')),
    shipped_by_kind TEXT NOT NULL CHECK (shipped_by_kind IN ('member', 'staff', 'api_key', 'system')),
    shipped_by_id BIGINT,
    shipped_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX order_packages_no_key ON order_packages (order_id, package_no);
CREATE INDEX order_packages_tracking_idx ON order_packages (merchant_id, carrier_code, tracking_no);

CREATE TABLE order_package_lines (
    package_id BIGINT NOT NULL REFERENCES order_packages (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    quantity BIGINT NOT NULL CHECK (quantity >= 1),
    PRIMARY KEY (package_id, line_no)
);
CREATE INDEX order_package_lines_order_idx ON order_package_lines (order_id, line_no);

ALTER TABLE order_settings ADD COLUMN auto_complete_days INTEGER NOT NULL DEFAULT 10
    CHECK (auto_complete_days BETWEEN 1 AND 60);
ALTER TABLE order_settings ADD COLUMN after_sale_days INTEGER NOT NULL DEFAULT 7
    CHECK (after_sale_days BETWEEN 0 AND 90);
-- A package's delivery (signed for) completes the order once every package is delivered.
ALTER TABLE order_settings ADD COLUMN complete_on_delivery BOOLEAN NOT NULL DEFAULT FALSE;

-- Who runs a periodic job now: taken by a conditional update when free or expired.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    locked_until TIMESTAMP NOT NULL
);
