-- Leaderboards and sales contests (销售竞赛, SPEC §4).

-- Sales as time-stamped facts: one row per completed order, attributed to the distributor who
-- brought it, so that any period's sales are one range scan. Written once per order reference.
CREATE TABLE distributor_sales (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    order_ref TEXT NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
    -- When the sale counts (the order's completion), not when the row was written.
    occurred_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX distributor_sales_order_key ON distributor_sales (merchant_id, order_ref);
-- A period's sales by distributor: a range scan that never touches the table.
CREATE INDEX distributor_sales_period_idx
    ON distributor_sales (merchant_id, occurred_at, distributor_id, amount_fen);

-- The same for new customers (bindings started in a period) and recruits (joined in a period).
CREATE INDEX customer_bindings_started_idx
    ON customer_bindings (merchant_id, starts_at, distributor_id, member_id);
CREATE INDEX distributors_joined_idx ON distributors (merchant_id, joined_at, parent_id);

-- A contest: a period (whole days in the merchant's time zone, kept as the UTC instants they
-- meant when saved), a metric, prizes. `state` is what staff decided; scheduled / running / ended
-- follow from the time. The final ranking is frozen once (frozen_at) and never recomputed.
CREATE TABLE contests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    metric TEXT NOT NULL CHECK (metric IN ('sales', 'new_customers', 'recruits')),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    timezone TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'published', 'cancelled')),
    published_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    cancel_reason TEXT,
    frozen_at TIMESTAMP,
    -- Distributors ranked when the ranking was frozen.
    participants BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (frozen_at IS NULL OR state = 'published')
);
CREATE INDEX contests_merchant_idx ON contests (merchant_id, id);
-- The closing job's work list, across merchants: published contests not frozen yet.
CREATE INDEX contests_due_idx ON contests (ends_at) WHERE state = 'published' AND frozen_at IS NULL;

-- Prizes by rank range (inclusive); ranges of one contest never overlap.
CREATE TABLE contest_prizes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    contest_id BIGINT NOT NULL REFERENCES contests (id),
    rank_from INTEGER NOT NULL CHECK (rank_from >= 1),
    rank_to INTEGER NOT NULL,
    description TEXT NOT NULL,
    amount_fen BIGINT CHECK (amount_fen IS NULL OR amount_fen >= 0),
    CHECK (rank_to >= rank_from)
);
CREATE INDEX contest_prizes_contest_idx ON contest_prizes (merchant_id, contest_id, rank_from);

-- The frozen final ranking of a contest.
CREATE TABLE contest_standings (
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    contest_id BIGINT NOT NULL REFERENCES contests (id),
    rank INTEGER NOT NULL CHECK (rank >= 1),
    distributor_id BIGINT NOT NULL REFERENCES distributors (id),
    -- The metric's figure: fen for sales, a count otherwise.
    value BIGINT NOT NULL,
    -- Orders behind a sales figure; the count itself otherwise.
    items BIGINT NOT NULL,
    -- When the figure was reached (the last counted fact), the first tie-breaker.
    reached_at TIMESTAMP NOT NULL,
    PRIMARY KEY (merchant_id, contest_id, rank)
);
CREATE UNIQUE INDEX contest_standings_distributor_key
    ON contest_standings (merchant_id, contest_id, distributor_id);
