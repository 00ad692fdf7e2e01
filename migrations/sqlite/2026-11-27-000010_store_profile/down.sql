ALTER TABLE skus DROP COLUMN low_stock_alerted;
DROP INDEX merchants_slug_key;
ALTER TABLE merchants DROP COLUMN logo_media_id;
ALTER TABLE merchants DROP COLUMN description;
ALTER TABLE merchants DROP COLUMN slug;
