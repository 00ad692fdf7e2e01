-- Staff of a merchant. An email identifies one staff account across the installation, so that
-- signing in needs no merchant to be chosen first.
CREATE TABLE staff_users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL
        CHECK (role IN ('owner', 'admin', 'operator', 'finance', 'support', 'viewer')),
    status TEXT NOT NULL CHECK (status IN ('pending_verification', 'invited', 'active', 'disabled')),
    email_verified_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX staff_users_email_key ON staff_users (email);
CREATE INDEX staff_users_merchant_idx ON staff_users (merchant_id, id);

-- Single-use tokens sent by email (verification, password reset, invitations); only a hash of
-- the token is stored.
CREATE TABLE one_time_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT REFERENCES merchants (id),
    staff_user_id BIGINT REFERENCES staff_users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'staff_invitation')),
    token_hash TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX one_time_tokens_hash_key ON one_time_tokens (token_hash);
CREATE INDEX one_time_tokens_user_idx ON one_time_tokens (merchant_id, staff_user_id, purpose);

-- Messages to send (email, SMS). Written in the same transaction as the change that causes them,
-- delivered afterwards; without a configured sender they stay here for operators to read.
CREATE TABLE outbox_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT REFERENCES merchants (id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient TEXT NOT NULL,
    template TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_messages_status_idx ON outbox_messages (status, id);
CREATE INDEX outbox_messages_recipient_idx ON outbox_messages (recipient, id);
