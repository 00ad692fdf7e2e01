-- Distribution settings of one merchant (SPEC §4); a merchant without a row uses the defaults.
CREATE TABLE distribution_settings (
    merchant_id BIGINT PRIMARY KEY REFERENCES merchants (id),
    -- Who becomes a distributor.
    entry_mode TEXT NOT NULL DEFAULT 'application'
        CHECK (entry_mode IN ('everyone', 'application', 'spend_threshold')),
    -- For entry_mode = 'application': approve at once, or wait for a reviewer.
    application_review TEXT NOT NULL DEFAULT 'manual' CHECK (application_review IN ('auto', 'manual')),
    -- For entry_mode = 'spend_threshold': cumulative paid spend in fen.
    spend_threshold BIGINT CHECK (spend_threshold IS NULL OR spend_threshold > 0),
    commission_depth INTEGER NOT NULL DEFAULT 2 CHECK (commission_depth BETWEEN 1 AND 3),
    -- Depth 3 needs a recorded compliance acknowledgement (who and when; the audit log has the rest).
    depth3_acknowledged_at TIMESTAMP,
    depth3_acknowledged_by BIGINT,
    self_purchase_commission BOOLEAN NOT NULL DEFAULT FALSE,
    binding_mode TEXT NOT NULL DEFAULT 'first_touch'
        CHECK (binding_mode IN ('first_touch', 'last_touch', 'registration_only')),
    -- NULL: a binding never expires.
    binding_days INTEGER CHECK (binding_days IS NULL OR binding_days > 0),
    protection_days INTEGER NOT NULL DEFAULT 0 CHECK (protection_days >= 0),
    default_sponsor_id BIGINT,
    updated_at TIMESTAMP NOT NULL,
    CHECK (commission_depth < 3 OR depth3_acknowledged_at IS NOT NULL)
);

-- Distributor tiers (等级), ordered by rank (1 = entry tier). Rates per level: with
-- commission_kind 'percent' a value is in millionths of the price (12.5 % = 125000), with 'fixed'
-- it is fen per unit sold. purchase_discount is in millionths too (5 % off = 50000).
CREATE TABLE distributor_tiers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    name TEXT NOT NULL,
    rank INTEGER NOT NULL CHECK (rank >= 1),
    commission_kind TEXT NOT NULL CHECK (commission_kind IN ('percent', 'fixed')),
    level1_value BIGINT NOT NULL CHECK (level1_value >= 0),
    level2_value BIGINT NOT NULL CHECK (level2_value >= 0),
    level3_value BIGINT NOT NULL CHECK (level3_value >= 0),
    purchase_discount BIGINT NOT NULL DEFAULT 0 CHECK (purchase_discount BETWEEN 0 AND 1000000),
    -- Promotion into this tier: 'all' conditions or 'any' of them; NULL conditions do not count.
    condition_mode TEXT NOT NULL DEFAULT 'all' CHECK (condition_mode IN ('all', 'any')),
    min_personal_sales BIGINT,
    min_team_sales BIGINT,
    min_direct_recruits BIGINT,
    min_team_size BIGINT,
    min_order_count BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX distributor_tiers_rank_key ON distributor_tiers (merchant_id, rank);
CREATE UNIQUE INDEX distributor_tiers_name_key ON distributor_tiers (merchant_id, name);

-- A member who distributes. One parent at most (the inviter or the default sponsor); the tree's
-- shape lives in distributor_paths. The counters are kept up to date on every change so that the
-- team figures of any distributor are one row read:
--   team = every descendant (not the distributor itself); team_sales = their personal sales.
CREATE TABLE distributors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    member_id BIGINT NOT NULL REFERENCES members (id),
    parent_id BIGINT REFERENCES distributors (id),
    tier_id BIGINT REFERENCES distributor_tiers (id),
    -- Public code used in recruit and share links.
    code TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'frozen', 'ended')),
    status_reason TEXT,
    depth INTEGER NOT NULL DEFAULT 0 CHECK (depth >= 0),
    personal_sales BIGINT NOT NULL DEFAULT 0,
    order_count BIGINT NOT NULL DEFAULT 0,
    direct_recruits BIGINT NOT NULL DEFAULT 0,
    team_size BIGINT NOT NULL DEFAULT 0,
    team_sales BIGINT NOT NULL DEFAULT 0,
    joined_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE UNIQUE INDEX distributors_member_key ON distributors (merchant_id, member_id);
CREATE UNIQUE INDEX distributors_code_key ON distributors (merchant_id, code);
CREATE INDEX distributors_parent_idx ON distributors (merchant_id, parent_id, id);
CREATE INDEX distributors_tier_idx ON distributors (merchant_id, tier_id);

-- Closure table of the tree: one row per (ancestor, descendant) pair, including each distributor
-- with itself at depth 0. Upline = rows by descendant; team = rows by ancestor.
CREATE TABLE distributor_paths (
    merchant_id BIGINT NOT NULL,
    ancestor_id BIGINT NOT NULL REFERENCES distributors (id),
    descendant_id BIGINT NOT NULL REFERENCES distributors (id),
    depth INTEGER NOT NULL CHECK (depth >= 0),
    PRIMARY KEY (merchant_id, descendant_id, depth)
);
CREATE UNIQUE INDEX distributor_paths_team_idx ON distributor_paths (merchant_id, ancestor_id, depth, descendant_id);

-- Every tier change with its cause: the promotion condition met, or the reason staff gave.
CREATE TABLE distributor_tier_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    from_tier_id BIGINT,
    to_tier_id BIGINT,
    cause TEXT NOT NULL CHECK (cause IN ('joined', 'promotion', 'demotion', 'manual')),
    -- For promotions: the conditions and the figures that met them (JSON). Otherwise the reason.
    detail TEXT NOT NULL,
    actor_account_id BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX distributor_tier_changes_idx ON distributor_tier_changes (merchant_id, distributor_id, id);
