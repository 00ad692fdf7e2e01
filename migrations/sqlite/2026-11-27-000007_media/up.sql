-- Uploaded images, stored by content (the key names the SHA-256), checked to be images by their
-- bytes rather than their names.
CREATE TABLE media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    storage_key TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX media_key_key ON media (merchant_id, storage_key);

-- A product's gallery in order; the first image is the main one.
CREATE TABLE product_media (
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    product_id BIGINT NOT NULL REFERENCES products (id),
    media_id BIGINT NOT NULL REFERENCES media (id),
    sort_order INTEGER NOT NULL,
    PRIMARY KEY (product_id, media_id)
);
CREATE INDEX product_media_merchant_idx ON product_media (merchant_id, product_id, sort_order);
