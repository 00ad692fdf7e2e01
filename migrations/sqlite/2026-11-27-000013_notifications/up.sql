-- Product tags (a JSON array of strings, e.g. ["新品", "包邮"]).
ALTER TABLE products ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

-- SKUs with a low-stock threshold, for the low-stock list of a merchant.
CREATE INDEX skus_low_stock_idx ON skus (merchant_id, id) WHERE low_stock_threshold IS NOT NULL;

-- The in-app inbox of merchant staff: one row per recipient, so each person reads and marks
-- their own. Texts are stored in both languages and answered in the reader's.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id BIGINT NOT NULL REFERENCES merchants (id),
    staff_user_id BIGINT NOT NULL REFERENCES staff_users (id),
    -- Stable machine name of what happened, e.g. 'low_stock'.
    kind TEXT NOT NULL,
    title_zh TEXT NOT NULL,
    title_en TEXT NOT NULL,
    body_zh TEXT NOT NULL,
    body_en TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    -- JSON object with the facts behind the texts (ids, figures), for clients to link and show.
    data TEXT NOT NULL DEFAULT '{}',
    read_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notifications_inbox_idx ON notifications (merchant_id, staff_user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (merchant_id, staff_user_id, id)
    WHERE read_at IS NULL;
