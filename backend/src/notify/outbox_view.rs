//! Reading the outbox: without a mail server, operators (and tests) read sent messages here.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::outbox::{Channel, OutboxStatus};
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::outbox_messages as o;
use crate::db::DbConnection;
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OutboxMessage {
    pub id: i64,
    #[schema(value_type = Option<i64>)]
    pub merchant_id: Option<MerchantId>,
    /// `email` or `sms`.
    #[schema(value_type = String)]
    pub channel: Channel,
    pub recipient: String,
    pub template: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sent` or `failed`.
    #[schema(value_type = String)]
    pub status: OutboxStatus,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    pub recipient: Option<String>,
    pub template: Option<String>,
    /// The `id` of the last message of the previous page (newest first).
    pub cursor: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// The columns of `outbox_messages` an operator reads.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = o)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct OutboxMessageRow {
    id: i64,
    merchant_id: Option<MerchantId>,
    channel: Channel,
    recipient: String,
    template: String,
    subject: String,
    body: String,
    status: OutboxStatus,
    attempts: i32,
    created_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
}

pub fn search(conn: &mut DbConnection, query: &OutboxQuery) -> AppResult<Vec<OutboxMessage>> {
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let mut q = o::table.into_boxed();
    if let Some(recipient) = &query.recipient {
        q = q.filter(o::recipient.eq(recipient.trim().to_lowercase()));
    }
    if let Some(template) = &query.template {
        q = q.filter(o::template.eq(template.clone()));
    }
    if let Some(cursor) = query.cursor {
        q = q.filter(o::id.lt(cursor));
    }
    let rows: Vec<OutboxMessageRow> = q
        .order(o::id.desc())
        .limit(limit)
        .select(OutboxMessageRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| OutboxMessage {
            id: r.id,
            merchant_id: r.merchant_id,
            channel: r.channel,
            recipient: r.recipient,
            template: r.template,
            subject: r.subject,
            body: r.body,
            status: r.status,
            attempts: r.attempts,
            created_at: clock::to_utc(r.created_at),
            sent_at: r.sent_at.map(clock::to_utc),
        })
        .collect())
}
