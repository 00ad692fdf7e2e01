DROP TABLE payment_receipts;
DROP TABLE payment_attempts;
