DROP TABLE distributor_tier_changes;
DROP TABLE distributor_paths;
DROP TABLE distributors;
DROP TABLE distributor_tiers;
DROP TABLE distribution_settings;
