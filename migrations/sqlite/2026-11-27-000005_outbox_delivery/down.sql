DROP INDEX outbox_messages_due_idx;
ALTER TABLE outbox_messages DROP COLUMN locked_until;
ALTER TABLE outbox_messages DROP COLUMN next_attempt_at;
