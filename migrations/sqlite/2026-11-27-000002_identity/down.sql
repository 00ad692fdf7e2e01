DROP TABLE outbox_messages;
DROP TABLE one_time_tokens;
DROP TABLE staff_users;
