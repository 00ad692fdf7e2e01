-- When staff demote a distributor, automatic promotion stops for them until staff raise their
-- tier by hand or release the hold; otherwise the next sale, recruit or periodic sweep would
-- promote them straight back to the tier they were demoted from. NULL: not held.
ALTER TABLE distributors ADD COLUMN promotion_held_since TIMESTAMP;
