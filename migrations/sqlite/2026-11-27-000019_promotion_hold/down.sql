ALTER TABLE distributors DROP COLUMN promotion_held_since;
