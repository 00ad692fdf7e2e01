-- Every shop is reached by its address (the slug), so every merchant needs one. Merchants that
-- never chose an address get their default, `shop-{id}`, as merchants signing up from now on do.
-- Default-shaped addresses are reserved from now on, but one may have been chosen before: then
-- that merchant keeps it, and the merchant whose default it is gets `shop--{id}`, which no chosen
-- address can be (double hyphens are refused), until it chooses one.
UPDATE merchants
SET slug = 'shop-' || CAST(id AS TEXT)
WHERE slug IS NULL
  AND NOT EXISTS (
    SELECT 1 FROM merchants AS taken WHERE taken.slug = 'shop-' || CAST(merchants.id AS TEXT)
  );

UPDATE merchants
SET slug = 'shop--' || CAST(id AS TEXT)
WHERE slug IS NULL;
