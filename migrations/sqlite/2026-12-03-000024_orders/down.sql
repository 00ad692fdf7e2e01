DROP TABLE order_settings;
DROP TABLE order_idempotency_keys;
DROP TABLE order_timeline;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE cart_items;
DROP TABLE member_addresses;
