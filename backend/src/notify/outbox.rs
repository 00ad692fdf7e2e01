//! The outbox of email and SMS messages.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::enums::db_enum;
use crate::db::ids::MerchantId;
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

/// A new message, pending.
#[derive(Debug, Insertable)]
#[diesel(table_name = outbox_messages)]
#[diesel(treat_none_as_default_value = false)]
struct OutboxMessageInsertForm<'a> {
    merchant_id: Option<MerchantId>,
    channel: Channel,
    recipient: &'a str,
    template: &'a str,
    subject: &'a str,
    body: &'a str,
    status: OutboxStatus,
    created_at: NaiveDateTime,
}

pub fn enqueue(
    conn: &mut DbConnection,
    merchant_id: Option<MerchantId>,
    message: &Message,
    now: NaiveDateTime,
) -> AppResult<i64> {
    let id = diesel::insert_into(outbox_messages::table)
        .values(OutboxMessageInsertForm {
            merchant_id,
            channel: message.channel,
            recipient: &message.recipient,
            template: message.template,
            subject: &message.subject,
            body: &message.body,
            status: OutboxStatus::Pending,
            created_at: now,
        })
        .returning(outbox_messages::id)
        .get_result(conn)?;
    Ok(id)
}
