DROP INDEX products_freight_template_idx;
ALTER TABLE products DROP COLUMN freight_template_id;
