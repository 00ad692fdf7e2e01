-- Self-pickup (docs/architecture.md, "Self-pickup"): an order collected at one of the merchant's
-- pickup points, handed over against the code the buyer gets when it is paid.
ALTER TABLE orders DROP CONSTRAINT orders_delivery_check;
ALTER TABLE orders ADD CONSTRAINT orders_delivery_check
    CHECK (delivery IN ('express', 'pickup', 'none'));
CREATE TABLE order_pickups (
    order_id BIGINT PRIMARY KEY REFERENCES orders (id),
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    pickup_point_id BIGINT NOT NULL REFERENCES pickup_points (id),
    -- Set at payment: what the buyer shows at the counter. Unique per merchant, so the code alone
    -- finds the order.
    code TEXT,
    handed_over_at TIMESTAMP,
    -- Who handed it over: the staff user (or API key).
    handed_over_by BIGINT
);
CREATE UNIQUE INDEX order_pickups_code_key ON order_pickups (merchant_id, code)
    WHERE code IS NOT NULL;
