DROP TABLE notifications;
DROP INDEX skus_low_stock_idx;
ALTER TABLE products DROP COLUMN tags;
