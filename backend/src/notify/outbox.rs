//! The outbox of email and SMS messages.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::enums::db_enum;
use crate::db::schema::outbox_messages;
use crate::db::DbConnection;
use crate::error::AppResult;

db_enum! {
    /// How a message travels.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Channel {
        Email,
        Sms,
    }
}

db_enum! {
    /// Where a message is in its delivery.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum OutboxStatus {
        /// Waiting for (another) delivery attempt.
        Pending,
        Sent,
        /// Given up after the last attempt.
        Failed,
    }
}

/// A message ready to be queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub channel: Channel,
    pub recipient: String,
    /// Stable name of the template that produced the message, for filtering and tests.
    pub template: &'static str,
    pub subject: String,
    pub body: String,
}

pub fn enqueue(
    conn: &mut DbConnection,
    merchant_id: Option<i64>,
    message: &Message,
    now: NaiveDateTime,
) -> AppResult<i64> {
    let id = diesel::insert_into(outbox_messages::table)
        .values((
            outbox_messages::merchant_id.eq(merchant_id),
            outbox_messages::channel.eq(message.channel),
            outbox_messages::recipient.eq(&message.recipient),
            outbox_messages::template.eq(message.template),
            outbox_messages::subject.eq(&message.subject),
            outbox_messages::body.eq(&message.body),
            outbox_messages::status.eq(OutboxStatus::Pending),
            outbox_messages::created_at.eq(now),
        ))
        .returning(outbox_messages::id)
        .get_result(conn)?;
    Ok(id)
}
