DROP TABLE stock_movements;
DROP TABLE sku_tier_prices;
DROP TABLE skus;
DROP TABLE products;
DROP TABLE categories;
