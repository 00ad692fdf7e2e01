//! The outbox of email and SMS messages.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::outbox_messages;
use crate::db::DbConnection;
use crate::error::AppResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
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
            outbox_messages::channel.eq(message.channel.as_str()),
            outbox_messages::recipient.eq(&message.recipient),
            outbox_messages::template.eq(message.template),
            outbox_messages::subject.eq(&message.subject),
            outbox_messages::body.eq(&message.body),
            outbox_messages::status.eq("pending"),
            outbox_messages::created_at.eq(now),
        ))
        .returning(outbox_messages::id)
        .get_result(conn)?;
    Ok(id)
}
