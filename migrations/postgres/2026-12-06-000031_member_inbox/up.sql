-- The buyer's in-app inbox (docs/architecture.md, "Messages"): the staff inbox's rows, read by a
-- member instead of a staff member.
ALTER TABLE notifications ALTER COLUMN staff_user_id DROP NOT NULL;
ALTER TABLE notifications ADD COLUMN member_id BIGINT REFERENCES members (id);
ALTER TABLE notifications ADD CONSTRAINT notifications_reader_check
    CHECK ((staff_user_id IS NULL) <> (member_id IS NULL));
CREATE INDEX notifications_member_inbox_idx ON notifications (merchant_id, member_id, id)
    WHERE member_id IS NOT NULL;
