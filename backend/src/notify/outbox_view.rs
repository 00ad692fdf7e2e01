//! Reading the outbox: without a mail server, operators (and tests) read sent messages here.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::outbox::{Channel, OutboxStatus};
use crate::clock;
use crate::db::schema::outbox_messages as o;
use crate::db::DbConnection;
use crate::error::AppResult;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OutboxMessage {
    pub id: i64,
    pub merchant_id: Option<i64>,
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

type Row = (
    i64,
    Option<i64>,
    Channel,
    String,
    String,
    String,
    String,
    OutboxStatus,
    i32,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

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
    let rows: Vec<Row> = q
        .order(o::id.desc())
        .limit(limit)
        .select((
            o::id,
            o::merchant_id,
            o::channel,
            o::recipient,
            o::template,
            o::subject,
            o::body,
            o::status,
            o::attempts,
            o::created_at,
            o::sent_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| OutboxMessage {
            id: r.0,
            merchant_id: r.1,
            channel: r.2,
            recipient: r.3,
            template: r.4,
            subject: r.5,
            body: r.6,
            status: r.7,
            attempts: r.8,
            created_at: clock::to_utc(r.9),
            sent_at: r.10.map(clock::to_utc),
        })
        .collect())
}
