-- The buyer's in-app inbox (docs/architecture.md, "Messages"): the staff inbox's rows, read by a
-- member instead of a staff member. Exactly one reader per row is the inbox's own rule here
-- (SQLite cannot add a table constraint).
ALTER TABLE notifications ADD COLUMN member_id BIGINT REFERENCES members (id);
CREATE INDEX notifications_member_inbox_idx ON notifications (merchant_id, member_id, id)
    WHERE member_id IS NOT NULL;
-- SQLite cannot drop a NOT NULL constraint; this edit of the stored schema is the one SQLite
-- documents for it (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table
-- Schema Changes"); RESET reloads the schema, on this connection too.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'staff_user_id BIGINT NOT NULL REFERENCES staff_users (id)',
                  'staff_user_id BIGINT REFERENCES staff_users (id)')
WHERE type = 'table' AND name = 'notifications';
PRAGMA writable_schema = RESET;
