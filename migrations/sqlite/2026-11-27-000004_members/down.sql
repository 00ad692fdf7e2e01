DROP TABLE verification_codes;
DROP TABLE members;
