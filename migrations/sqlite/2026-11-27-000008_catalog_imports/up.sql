-- Product/SKU/stock imports from spreadsheets: one row per upload, so that the progress of a large
-- file (rows validated so far) and the outcome can be read by another request while it runs.
CREATE TABLE catalog_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
    dry_run BOOLEAN NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('validating', 'writing', 'validated', 'completed', 'failed')),
    total_rows BIGINT NOT NULL DEFAULT 0,
    processed_rows BIGINT NOT NULL DEFAULT 0,
    error_rows BIGINT NOT NULL DEFAULT 0,
    products_created BIGINT NOT NULL DEFAULT 0,
    skus_created BIGINT NOT NULL DEFAULT 0,
    skus_updated BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX catalog_imports_merchant_idx ON catalog_imports (merchant_id, id);
