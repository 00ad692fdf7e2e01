DELETE FROM notifications WHERE member_id IS NOT NULL;
DROP INDEX notifications_member_inbox_idx;
ALTER TABLE notifications DROP CONSTRAINT notifications_reader_check;
ALTER TABLE notifications DROP COLUMN member_id;
ALTER TABLE notifications ALTER COLUMN staff_user_id SET NOT NULL;
