-- The freight template a product ships under; NULL means the merchant's default template. The
-- service checks the template is the product's merchant's; the reference keeps a used template
-- from being deleted underneath its products.
ALTER TABLE products ADD COLUMN freight_template_id BIGINT REFERENCES freight_templates (id);
CREATE INDEX products_freight_template_idx ON products (freight_template_id);
