-- A merchant is a tenant: every tenant row elsewhere carries merchant_id.
CREATE TABLE merchants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending_verification', 'pending_approval', 'active', 'suspended')),
    timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    currency TEXT NOT NULL DEFAULT 'CNY',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE INDEX merchants_status_idx ON merchants (status, id);
