-- How a merchant takes payment. The settings (account numbers, keys) are JSON encrypted at rest;
-- responses show them masked.
CREATE TABLE payment_methods (
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    kind TEXT NOT NULL CHECK (kind IN ('bank_transfer', 'alipay', 'wechat_pay', 'sandbox')),
    enabled BOOLEAN NOT NULL,
    settings_encrypted TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (merchant_id, kind)
);
