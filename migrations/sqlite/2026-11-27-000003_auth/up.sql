-- People who run the installation. Created by `fenxiao admin create`; there is no default account.
CREATE TABLE platform_operators (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX platform_operators_email_key ON platform_operators (email);

-- Sign-in protection shared by every kind of account (staff, member, operator): failed
-- attempts and lockout, and the TOTP second factor (the secret encrypted at rest).
CREATE TABLE account_security (
    account_kind TEXT NOT NULL CHECK (account_kind IN ('staff', 'member', 'operator')),
    account_id BIGINT NOT NULL,
    merchant_id BIGINT REFERENCES merchants (id),
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,
    first_failed_at TIMESTAMP,
    locked_at TIMESTAMP,
    totp_secret TEXT,
    totp_enabled_at TIMESTAMP,
    totp_last_step BIGINT,
    PRIMARY KEY (account_kind, account_id)
);

CREATE TABLE mfa_recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_kind TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mfa_recovery_codes_account_idx ON mfa_recovery_codes (account_kind, account_id);

-- A signed-in device: a family of rotating refresh tokens. Access tokens name their session, so
-- revoking it ends them too.
CREATE TABLE auth_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_kind TEXT NOT NULL CHECK (account_kind IN ('staff', 'member', 'operator')),
    account_id BIGINT NOT NULL,
    merchant_id BIGINT REFERENCES merchants (id),
    ip TEXT,
    user_agent TEXT,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoke_reason TEXT
);
CREATE INDEX auth_sessions_account_idx ON auth_sessions (account_kind, account_id, id);

CREATE TABLE refresh_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id BIGINT NOT NULL REFERENCES auth_sessions (id),
    token_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Who did what, when, from where, with the fields it changed (secrets never stored).
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT REFERENCES merchants (id),
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    actor_label TEXT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    changes TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_events_merchant_idx ON audit_events (merchant_id, id);
CREATE INDEX audit_events_action_idx ON audit_events (merchant_id, action, id);

-- Keys for integrations (ERP/CRM): shown once, stored as a hash, limited to their scopes.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    created_by BIGINT REFERENCES staff_users (id),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (key_hash);
CREATE INDEX api_keys_merchant_idx ON api_keys (merchant_id, id);

ALTER TABLE merchants ADD COLUMN require_staff_mfa BOOLEAN NOT NULL DEFAULT FALSE;
