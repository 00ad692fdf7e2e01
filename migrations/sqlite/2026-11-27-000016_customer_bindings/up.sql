-- Customer binding (锁客, SPEC §4): which distributor a member is bound to, as a history. Rows are
-- never deleted; a binding that gives way to another is closed (ended_at, end_reason).
CREATE TABLE customer_bindings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    -- How it came: a visit through a share link, registration through one, or staff's assignment.
    source TEXT NOT NULL CHECK (source IN ('visit', 'registration', 'staff')),
    starts_at TIMESTAMP NOT NULL,
    -- End of validity (starts_at + the merchant's binding days at the time); NULL: permanent.
    ends_at TIMESTAMP,
    -- When the binding was closed before or after its validity ran out, and why. A binding is in
    -- force from starts_at until the earlier of ends_at and ended_at (half-open).
    ended_at TIMESTAMP,
    end_reason TEXT CHECK (end_reason IN
        ('superseded', 'expired', 'reassigned', 'released', 'distributor_ended')),
    -- Staff who assigned it and the reason they gave.
    assigned_by BIGINT,
    note TEXT,
    -- Staff who ended it (re-assignment, release) and the reason they gave.
    ended_by BIGINT,
    end_note TEXT,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at IS NULL OR ends_at > starts_at),
    CHECK (ended_at IS NULL OR ended_at >= starts_at),
    CHECK ((ended_at IS NULL AND end_reason IS NULL) OR (ended_at IS NOT NULL AND end_reason IS NOT NULL))
);
-- "The binding in force at T" and a member's history: one range scan of this index.
CREATE INDEX customer_bindings_member_idx ON customer_bindings (merchant_id, member_id, starts_at, id);
-- At most one open binding per member, whatever the interleaving of concurrent requests.
CREATE UNIQUE INDEX customer_bindings_open_key ON customer_bindings (merchant_id, member_id) WHERE ended_at IS NULL;
-- A distributor's current customers, newest first.
CREATE INDEX customer_bindings_distributor_idx ON customer_bindings (merchant_id, distributor_id, id) WHERE ended_at IS NULL;
