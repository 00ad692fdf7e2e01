DROP TABLE package_events;
DROP INDEX order_packages_tracking_token_key;
ALTER TABLE order_packages DROP COLUMN subscribed_at;
ALTER TABLE order_packages DROP COLUMN tracking_token;
DROP TABLE tracking_settings;
