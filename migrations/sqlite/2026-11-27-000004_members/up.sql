-- Shoppers of one merchant. They sign in with a phone number or an email (each unique within the
-- merchant) and become distributors later by getting a distributor profile.
CREATE TABLE members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    phone TEXT,
    email TEXT,
    name TEXT,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    phone_verified_at TIMESTAMP,
    email_verified_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (phone IS NOT NULL OR email IS NOT NULL)
);
CREATE UNIQUE INDEX members_phone_key ON members (merchant_id, phone);
CREATE UNIQUE INDEX members_email_key ON members (merchant_id, email);

-- Short numeric codes sent by SMS or email to prove a phone number or address; hashed, expiring,
-- with a bounded number of guesses.
CREATE TABLE verification_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    recipient TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('member_register')),
    code_hash TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX verification_codes_lookup_idx ON verification_codes (merchant_id, recipient, purpose, id);
