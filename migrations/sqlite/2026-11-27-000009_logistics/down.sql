DROP TABLE freight_templates;
DROP TABLE pickup_points;
DROP TABLE delivery_settings;
DROP TABLE carriers;
