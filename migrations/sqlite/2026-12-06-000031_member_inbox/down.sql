DELETE FROM notifications WHERE member_id IS NOT NULL;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql, 'staff_user_id BIGINT REFERENCES staff_users (id)',
                  'staff_user_id BIGINT NOT NULL REFERENCES staff_users (id)')
WHERE type = 'table' AND name = 'notifications';
PRAGMA writable_schema = RESET;
DROP INDEX notifications_member_inbox_idx;
ALTER TABLE notifications DROP COLUMN member_id;
