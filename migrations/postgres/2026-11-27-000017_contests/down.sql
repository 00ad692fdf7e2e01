DROP TABLE contest_standings;
DROP TABLE contest_prizes;
DROP TABLE contests;
DROP INDEX distributors_joined_idx;
DROP INDEX customer_bindings_started_idx;
DROP TABLE distributor_sales;
