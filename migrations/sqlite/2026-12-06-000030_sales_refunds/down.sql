DROP INDEX distributor_sales_period_idx;
CREATE INDEX distributor_sales_period_idx
    ON distributor_sales (merchant_id, occurred_at, distributor_id, amount_fen);
ALTER TABLE distributor_sales DROP COLUMN refunded_fen;
