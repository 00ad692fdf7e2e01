-- After-sales and refunds (docs/architecture.md, "After-sales"): the buyer's requests with the
-- units and money of each line they ask back, and the refunds that return money through the
-- provider that took it.

-- What has happened to each line's units and money since it was sold. Units and money claimed
-- by open after-sales requests are held here too, so two requests never ask for the same ones.
ALTER TABLE order_lines ADD COLUMN cancelled_quantity BIGINT NOT NULL DEFAULT 0
    CHECK (cancelled_quantity >= 0 AND shipped_quantity + cancelled_quantity <= quantity);
ALTER TABLE order_lines ADD COLUMN returned_quantity BIGINT NOT NULL DEFAULT 0
    CHECK (returned_quantity >= 0 AND returned_quantity <= shipped_quantity);
ALTER TABLE order_lines ADD COLUMN refunded_quantity BIGINT NOT NULL DEFAULT 0
    CHECK (refunded_quantity BETWEEN 0 AND quantity);
ALTER TABLE order_lines ADD COLUMN refunded_fen BIGINT NOT NULL DEFAULT 0
    CHECK (refunded_fen BETWEEN 0 AND commission_base_fen);
ALTER TABLE order_lines ADD COLUMN claimed_quantity BIGINT NOT NULL DEFAULT 0
    CHECK (claimed_quantity >= 0 AND claimed_quantity + refunded_quantity <= quantity);
ALTER TABLE order_lines ADD COLUMN claimed_fen BIGINT NOT NULL DEFAULT 0
    CHECK (claimed_fen >= 0 AND claimed_fen + refunded_fen <= commission_base_fen);
-- Everything refunded of the order, freight included.
ALTER TABLE orders ADD COLUMN refunded_fen BIGINT NOT NULL DEFAULT 0
    CHECK (refunded_fen BETWEEN 0 AND total_fen);

CREATE TABLE after_sales (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    kind TEXT NOT NULL CHECK (kind IN ('refund_only', 'return_and_refund')),
    status TEXT NOT NULL CHECK (status IN
        ('requested', 'awaiting_return', 'returning', 'refunding', 'refunded', 'rejected',
         'withdrawn')),
    reason TEXT NOT NULL,
    note TEXT,
    -- The goods' money asked back, and the freight that goes with it (only when the whole
    -- order goes back before anything shipped).
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    freight_fen BIGINT NOT NULL DEFAULT 0 CHECK (freight_fen >= 0),
    reject_reason TEXT,
    return_carrier TEXT,
    return_tracking_no TEXT,
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    returned_at TIMESTAMP,
    received_at TIMESTAMP,
    refunded_at TIMESTAMP,
    closed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX after_sales_merchant_idx ON after_sales (merchant_id, status, id);
CREATE INDEX after_sales_order_idx ON after_sales (order_id, id);

CREATE TABLE after_sale_items (
    after_sale_id BIGINT NOT NULL REFERENCES after_sales (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    PRIMARY KEY (after_sale_id, line_no)
);

-- Every change of a request's status: who, when, why.
CREATE TABLE after_sale_timeline (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    after_sale_id BIGINT NOT NULL REFERENCES after_sales (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('member', 'staff', 'api_key', 'system')),
    actor_id BIGINT,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX after_sale_timeline_idx ON after_sale_timeline (after_sale_id, id);

-- Money going back, through the payment that brought it. One per after-sales request, one per
-- staff cancellation of a paid order, one per payment that came for an order no longer waiting.
CREATE TABLE refunds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    -- Ours, unique: what the provider knows the refund by (out_refund_no, out_request_no).
    refund_no TEXT NOT NULL,
    cause TEXT NOT NULL CHECK (cause IN ('after_sale', 'order_cancelled', 'late_payment')),
    after_sale_id BIGINT REFERENCES after_sales (id),
    receipt_id BIGINT REFERENCES payment_receipts (id),
    attempt_id BIGINT NOT NULL REFERENCES payment_attempts (id),
    method TEXT NOT NULL CHECK (method IN ('bank_transfer', 'alipay', 'wechat_pay', 'sandbox')),
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    freight_fen BIGINT NOT NULL DEFAULT 0 CHECK (freight_fen >= 0 AND freight_fen <= amount_fen),
    status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'failed')),
    provider_refund_id TEXT,
    failure_reason TEXT,
    tries INTEGER NOT NULL DEFAULT 0,
    -- Submission to the provider is claimed by a lease, so one instance submits it at a time.
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    refunded_at TIMESTAMP
);
CREATE UNIQUE INDEX refunds_no_key ON refunds (refund_no);
CREATE UNIQUE INDEX refunds_after_sale_key ON refunds (after_sale_id);
CREATE UNIQUE INDEX refunds_receipt_key ON refunds (receipt_id);
CREATE UNIQUE INDEX refunds_cancel_key ON refunds (order_id) WHERE cause = 'order_cancelled';
CREATE INDEX refunds_merchant_idx ON refunds (merchant_id, status, id);
CREATE INDEX refunds_open_idx ON refunds (status, id) WHERE status IN ('pending', 'processing');

-- What a refund gives back of each line: money, units, and units back in stock.
CREATE TABLE refund_lines (
    refund_id BIGINT NOT NULL REFERENCES refunds (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    quantity BIGINT NOT NULL CHECK (quantity >= 0),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    restock_quantity BIGINT NOT NULL CHECK (restock_quantity BETWEEN 0 AND quantity),
    PRIMARY KEY (refund_id, line_no)
);
