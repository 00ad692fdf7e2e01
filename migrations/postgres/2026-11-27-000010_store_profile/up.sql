-- The store's public face: the slug of the shop URL, a description and a logo.
ALTER TABLE merchants ADD COLUMN slug TEXT;
ALTER TABLE merchants ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN logo_media_id BIGINT REFERENCES media (id);
CREATE UNIQUE INDEX merchants_slug_key ON merchants (slug);

-- A low-stock alert goes out once per crossing of the threshold: set when it is sent, cleared
-- when stock rises above the threshold again.
ALTER TABLE skus ADD COLUMN low_stock_alerted BOOLEAN NOT NULL DEFAULT FALSE;
