-- Payments (docs/architecture.md, "Payments"): one attempt per try to pay an order, and every
-- provider notification received, recorded once.

CREATE TABLE payment_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    method TEXT NOT NULL CHECK (method IN ('bank_transfer', 'alipay', 'wechat_pay', 'sandbox')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    -- What the attempt is known by outside: the sandbox page's address, the provider's
    -- out_trade_no. Random, unguessable.
    token TEXT NOT NULL,
    -- The provider's transaction id (a bank transfer: the bank's reference), once paid.
    provider_txn_id TEXT,
    failure_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    paid_at TIMESTAMP
);
CREATE UNIQUE INDEX payment_attempts_token_key ON payment_attempts (token);
CREATE INDEX payment_attempts_order_idx ON payment_attempts (order_id, id);

-- A provider's word that money moved, applied at most once: unique on the provider and its
-- transaction id, so the same notification received again (or 50 times at once) pays once.
CREATE TABLE payment_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    method TEXT NOT NULL,
    provider_txn_id TEXT NOT NULL,
    attempt_id BIGINT NOT NULL REFERENCES payment_attempts (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    -- `paid`: it paid the order; `to_refund`: the order was cancelled (or paid) before the money
    -- came, so it is to be refunded.
    outcome TEXT NOT NULL CHECK (outcome IN ('paid', 'to_refund')),
    received_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX payment_receipts_txn_key ON payment_receipts (method, provider_txn_id);
CREATE INDEX payment_receipts_order_idx ON payment_receipts (order_id);
