//! Notifications. Messages are written to the outbox in the same transaction as the change that
//! causes them, so a message is never sent for a change that rolled back, nor lost for one that
//! committed.

pub mod outbox;
pub mod outbox_view;
pub mod templates;
