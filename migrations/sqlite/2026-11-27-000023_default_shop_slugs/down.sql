-- Default addresses go back to none; addresses merchants chose stay. (One who chose exactly its
-- own default cannot be told apart and loses it too.)
UPDATE merchants
SET slug = NULL
WHERE slug = 'shop-' || CAST(id AS TEXT) OR slug = 'shop--' || CAST(id AS TEXT);
