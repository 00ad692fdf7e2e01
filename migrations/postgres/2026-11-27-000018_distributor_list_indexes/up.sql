-- Keyset pages of a merchant's distributor list without sorting the whole merchant: newest
-- first, and the rankings by team size, team sales and personal sales (each with the id as the
-- tie-breaker the cursor carries). Without them a page of 20 at a million distributors sorts
-- the million (about a second on SQLite).
CREATE INDEX distributors_newest_idx ON distributors (merchant_id, id);
CREATE INDEX distributors_team_size_idx ON distributors (merchant_id, team_size, id);
CREATE INDEX distributors_team_sales_idx ON distributors (merchant_id, team_sales, id);
CREATE INDEX distributors_personal_sales_idx ON distributors (merchant_id, personal_sales, id);
