-- Delivery state of outbox messages. `next_attempt_at` holds a message back after a failed
-- attempt (NULL: due now); `locked_until` is the lease of the delivery worker that claimed it, so
-- that two server instances never send the same message (NULL or past: free to claim).
ALTER TABLE outbox_messages ADD COLUMN next_attempt_at TIMESTAMP;
ALTER TABLE outbox_messages ADD COLUMN locked_until TIMESTAMP;
CREATE INDEX outbox_messages_due_idx ON outbox_messages (status, channel, next_attempt_at);
