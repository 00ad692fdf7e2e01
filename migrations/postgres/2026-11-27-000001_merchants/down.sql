DROP TABLE merchants;
