DROP INDEX distributors_joined_idx;
CREATE INDEX distributors_joined_idx ON distributors (merchant_id, joined_at, parent_id);
ALTER TABLE distributors DROP COLUMN sponsor_id;
