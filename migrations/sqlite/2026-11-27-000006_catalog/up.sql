-- The catalog of a merchant: a category tree, products with their specifications, and SKUs (one
-- per combination of specification values) carrying price, stock, barcode and weight.
CREATE TABLE categories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    parent_id BIGINT REFERENCES categories (id),
    name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- Sibling names are unique; roots are siblings of each other (parent 0).
CREATE UNIQUE INDEX categories_name_key ON categories (merchant_id, COALESCE(parent_id, 0), name);

CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    category_id BIGINT REFERENCES categories (id),
    name TEXT NOT NULL,
    subtitle TEXT NOT NULL DEFAULT '',
    description_html TEXT NOT NULL DEFAULT '',
    -- JSON array of specification names, e.g. ["颜色", "尺码"].
    spec_names TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL
        CHECK (status IN ('draft', 'pending_review', 'listed', 'rejected', 'unlisted')),
    rejection_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX products_merchant_status_idx ON products (merchant_id, status, id);
CREATE INDEX products_category_idx ON products (merchant_id, category_id, id);

CREATE TABLE skus (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    code TEXT NOT NULL,
    -- JSON object of specification values, e.g. {"颜色": "红", "尺码": "M"}.
    spec_values TEXT NOT NULL DEFAULT '{}',
    barcode TEXT,
    weight_grams INTEGER NOT NULL DEFAULT 0 CHECK (weight_grams >= 0),
    retail_price_fen BIGINT NOT NULL CHECK (retail_price_fen >= 0),
    stock BIGINT NOT NULL DEFAULT 0 CHECK (stock >= 0),
    low_stock_threshold BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX skus_code_key ON skus (merchant_id, code);
CREATE INDEX skus_product_idx ON skus (merchant_id, product_id, id);

-- Prices by member tier and purchase prices by distributor tier; the tiers are defined by the
-- network and member modules.
CREATE TABLE sku_tier_prices (
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    sku_id BIGINT NOT NULL REFERENCES skus (id),
    tier_kind TEXT NOT NULL CHECK (tier_kind IN ('member', 'distributor')),
    tier_id BIGINT NOT NULL,
    price_fen BIGINT NOT NULL CHECK (price_fen >= 0),
    PRIMARY KEY (sku_id, tier_kind, tier_id)
);
CREATE INDEX sku_tier_prices_merchant_idx ON sku_tier_prices (merchant_id, sku_id);

-- Every change of stock with its cause, so stock can be explained and reconciled.
CREATE TABLE stock_movements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    sku_id BIGINT NOT NULL REFERENCES skus (id),
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL,
    reference TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX stock_movements_sku_idx ON stock_movements (merchant_id, sku_id, id);
