DROP TABLE virtual_codes;
ALTER TABLE skus DROP COLUMN kind;
ALTER TABLE skus DROP COLUMN presale_ship_date;
ALTER TABLE skus DROP COLUMN presale_sold;
ALTER TABLE skus DROP COLUMN presale_quantity;
