-- Logistics settings of a merchant: carriers, delivery methods with pickup points, and freight
-- templates. Region codes are six-digit GB/T 2260 province or city codes, validated by the
-- application against the embedded data (backend/data/regions.json).

-- Each merchant's own list of carriers. The common Chinese carriers are copied in on first use
-- (listing or creating), after which the merchant edits its copy.
CREATE TABLE carriers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX carriers_code_key ON carriers (merchant_id, code);

-- Which delivery methods a merchant offers; no row means express only.
CREATE TABLE delivery_settings (
    merchant_id BIGINT PRIMARY KEY REFERENCES merchants (id),
    express_enabled BOOLEAN NOT NULL,
    pickup_enabled BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE pickup_points (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    name TEXT NOT NULL,
    region_code TEXT NOT NULL,
    address TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    opening_hours TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX pickup_points_name_key ON pickup_points (merchant_id, name);

-- A freight template. The region lists are JSON text: `region_overrides` is an array of
-- {"region_codes": [...], "first_price_fen": n, "additional_price_fen": n}, and
-- `restricted_regions` an array of codes where the template does not deliver.
CREATE TABLE freight_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    name TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('piece', 'weight')),
    first_units BIGINT NOT NULL CHECK (first_units >= 1),
    first_price_fen BIGINT NOT NULL CHECK (first_price_fen >= 0),
    additional_units BIGINT NOT NULL CHECK (additional_units >= 1),
    additional_price_fen BIGINT NOT NULL CHECK (additional_price_fen >= 0),
    free_shipping_threshold_fen BIGINT CHECK (free_shipping_threshold_fen >= 0),
    region_overrides TEXT NOT NULL DEFAULT '[]',
    restricted_regions TEXT NOT NULL DEFAULT '[]',
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX freight_templates_name_key ON freight_templates (merchant_id, name);
-- At most one default template per merchant.
CREATE UNIQUE INDEX freight_templates_default_key ON freight_templates (merchant_id) WHERE is_default;
