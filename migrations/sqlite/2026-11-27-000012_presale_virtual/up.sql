-- Presale: units that may be sold beyond stock, with an expected ship date (YYYY-MM-DD).
ALTER TABLE skus ADD COLUMN presale_quantity BIGINT NOT NULL DEFAULT 0 CHECK (presale_quantity >= 0);
ALTER TABLE skus ADD COLUMN presale_sold BIGINT NOT NULL DEFAULT 0 CHECK (presale_sold >= 0);
ALTER TABLE skus ADD COLUMN presale_ship_date TEXT;
-- Virtual SKUs deliver a code from their pool; their stock is the number of available codes.
ALTER TABLE skus ADD COLUMN kind TEXT NOT NULL DEFAULT 'physical' CHECK (kind IN ('physical', 'virtual'));

-- Codes (e-vouchers, card secrets) encrypted at rest; code_hash = SHA-256 of merchant id + code.
CREATE TABLE virtual_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    sku_id BIGINT NOT NULL REFERENCES skus (id),
    code_hash TEXT NOT NULL,
    code_encrypted TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('available', 'delivered')),
    order_reference TEXT,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);
CREATE UNIQUE INDEX virtual_codes_hash ON virtual_codes (code_hash);
CREATE INDEX virtual_codes_sku_status ON virtual_codes (sku_id, status, id);
