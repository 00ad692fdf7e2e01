-- Orders (docs/architecture.md, "Orders"): a member's addresses and cart, the orders they place
-- with their priced lines and timeline, the keys that make a placement idempotent, and the
-- merchant's order settings.

CREATE TABLE member_addresses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    recipient TEXT NOT NULL,
    phone TEXT NOT NULL,
    -- GB/T 2260 codes of the province and the city; the district and street as written.
    province_code TEXT NOT NULL,
    city_code TEXT NOT NULL,
    district TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX member_addresses_member_idx ON member_addresses (merchant_id, member_id, id);
CREATE UNIQUE INDEX member_addresses_one_default ON member_addresses (member_id) WHERE is_default;

-- No foreign key to the SKU: a SKU deleted since stays in the cart, shown as unavailable.
CREATE TABLE cart_items (
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    sku_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 9999),
    added_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, sku_id)
);
CREATE INDEX cart_items_merchant_idx ON cart_items (merchant_id, member_id, added_at);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    -- Readable and unique: the placement's date and time (merchant's zone) and the row's id.
    order_no TEXT NOT NULL,
    member_id BIGINT NOT NULL REFERENCES members (id),
    status TEXT NOT NULL CHECK (status IN
        ('pending_payment', 'paid', 'shipped', 'completed', 'cancelled')),
    -- The priced order (orders::pricing), in fen.
    goods_amount_fen BIGINT NOT NULL CHECK (goods_amount_fen >= 0),
    line_discount_fen BIGINT NOT NULL CHECK (line_discount_fen >= 0),
    coupon_fen BIGINT NOT NULL CHECK (coupon_fen >= 0),
    points_fen BIGINT NOT NULL CHECK (points_fen >= 0),
    paid_goods_fen BIGINT NOT NULL CHECK (paid_goods_fen >= 0),
    freight_fen BIGINT NOT NULL CHECK (freight_fen >= 0),
    total_fen BIGINT NOT NULL CHECK (total_fen = paid_goods_fen + freight_fen),
    -- Who brought the member: the binding in force at placement.
    distributor_id BIGINT REFERENCES distributors (id),
    binding_id BIGINT,
    -- `express`: sent to the address below; `none`: nothing to send (virtual goods).
    delivery TEXT NOT NULL CHECK (delivery IN ('express', 'none')),
    recipient TEXT,
    phone TEXT,
    region_code TEXT,
    address TEXT,
    buyer_note TEXT,
    -- Unpaid by then, the order is cancelled and its stock restored.
    pay_by TIMESTAMP NOT NULL,
    -- Paid, then cancelled by staff: the money is to be refunded by hand until refunds exist.
    refund_due BOOLEAN NOT NULL DEFAULT FALSE,
    cancel_reason TEXT,
    placed_at TIMESTAMP NOT NULL,
    paid_at TIMESTAMP,
    shipped_at TIMESTAMP,
    completed_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX orders_no_key ON orders (order_no);
CREATE INDEX orders_merchant_idx ON orders (merchant_id, id);
CREATE INDEX orders_member_idx ON orders (merchant_id, member_id, id);
CREATE INDEX orders_status_idx ON orders (merchant_id, status, id);
CREATE INDEX orders_unpaid_idx ON orders (pay_by) WHERE status = 'pending_payment';

-- A line as it was sold: the product's and SKU's names and specification values, the price and
-- why, the discounts it carries and its commission base. No foreign key to the SKU, which may
-- be deleted later; the snapshot stays.
CREATE TABLE order_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    line_no INTEGER NOT NULL CHECK (line_no >= 1),
    product_id BIGINT NOT NULL,
    sku_id BIGINT NOT NULL,
    product_name TEXT NOT NULL,
    sku_code TEXT NOT NULL,
    spec_values TEXT NOT NULL,
    sku_kind TEXT NOT NULL CHECK (sku_kind IN ('physical', 'virtual')),
    quantity BIGINT NOT NULL CHECK (quantity >= 1),
    -- Units sold from the presale allowance rather than from stock, given back there on cancel.
    presale_quantity BIGINT NOT NULL DEFAULT 0 CHECK (presale_quantity BETWEEN 0 AND quantity),
    unit_price_fen BIGINT NOT NULL CHECK (unit_price_fen >= 0),
    unit_price_source TEXT NOT NULL CHECK (unit_price_source IN
        ('flash_sale', 'retail', 'member_tier', 'distributor_tier', 'distributor_tier_discount')),
    tier_id BIGINT,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    line_discount_fen BIGINT NOT NULL CHECK (line_discount_fen >= 0),
    coupon_share_fen BIGINT NOT NULL CHECK (coupon_share_fen >= 0),
    points_share_fen BIGINT NOT NULL CHECK (points_share_fen >= 0),
    commission_base_fen BIGINT NOT NULL CHECK (commission_base_fen >= 0)
);
CREATE UNIQUE INDEX order_lines_no_key ON order_lines (order_id, line_no);
CREATE INDEX order_lines_sku_idx ON order_lines (merchant_id, sku_id);

-- Every change of an order's status: who, when, why.
CREATE TABLE order_timeline (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor_kind TEXT NOT NULL CHECK (actor_kind IN ('member', 'staff', 'api_key', 'system')),
    actor_id BIGINT,
    note TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX order_timeline_order_idx ON order_timeline (order_id, id);

-- `Idempotency-Key` of a placement: the same key and body answer the same order. Kept 24 hours.
CREATE TABLE order_idempotency_keys (
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    idempotency_key TEXT NOT NULL,
    -- SHA-256 of the request body as parsed, so the same key with another body is refused.
    request_hash TEXT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (member_id, idempotency_key)
);
CREATE INDEX order_idempotency_keys_age_idx ON order_idempotency_keys (created_at);

CREATE TABLE order_settings (
    merchant_id BIGINT PRIMARY KEY REFERENCES merchants (id),
    payment_timeout_minutes INTEGER NOT NULL DEFAULT 30
        CHECK (payment_timeout_minutes BETWEEN 5 AND 1440),
    updated_at TIMESTAMP NOT NULL
);
