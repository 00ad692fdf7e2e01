-- Refunds take a sale back from the leaderboards and contests (docs/architecture.md,
-- "Contests"): what was refunded of the sale's goods. The fact keeps its time, so the sale's own
-- period loses it; a contest's frozen ranking does not change.
ALTER TABLE distributor_sales ADD COLUMN refunded_fen BIGINT NOT NULL DEFAULT 0
    CHECK (refunded_fen BETWEEN 0 AND amount_fen);
DROP INDEX distributor_sales_period_idx;
CREATE INDEX distributor_sales_period_idx
    ON distributor_sales (merchant_id, occurred_at, distributor_id, amount_fen, refunded_fen);
