//! The in-app inbox of merchant staff. A feature that has something to tell a merchant's people
//! calls `notify_staff` inside its own transaction (so a notice is never shown for a change that
//! rolled back); each active staff member concerned gets a row of their own, which they read and
//! mark as read independently. Texts are kept in both languages and answered in the reader's.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::account::AccountStatus;
use crate::auth::permissions::{self, Permission};
use crate::clock;
use crate::db::schema::{notifications, staff_users};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode, Lang, Text};
use crate::tenancy::models::StaffRole;

/// What to tell: a stable kind, the texts, what it is about, and the facts behind the texts.
#[derive(Debug, Clone)]
pub struct Notice {
    /// Stable machine name, e.g. `low_stock`; clients choose icons and links by it.
    pub kind: &'static str,
    pub title: Text,
    pub body: Text,
    /// The object the notice is about, e.g. `("sku", "42")`.
    pub target: Option<(&'static str, String)>,
    /// Figures and ids behind the texts, as a JSON object.
    pub data: Value,
}

/// Who of the merchant's staff receives a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients {
    /// Every active staff member.
    AllStaff,
    /// Active staff whose role grants the permission.
    Holding(Permission),
}

/// Gives every active staff member of the merchant concerned a copy of the notice. Runs in the
/// caller's transaction. Answers how many were notified.
pub fn notify_staff(
    conn: &mut DbConnection,
    merchant_id: i64,
    recipients: Recipients,
    notice: &Notice,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let staff: Vec<(i64, StaffRole)> = staff_users::table
        .filter(staff_users::merchant_id.eq(merchant_id))
        .filter(staff_users::status.eq(AccountStatus::Active))
        .order(staff_users::id.asc())
        .select((staff_users::id, staff_users::role))
        .load(conn)?;
    let data = notice.data.to_string();
    let mut sent = 0;
    for (staff_id, role) in staff {
        let concerned = match recipients {
            Recipients::AllStaff => true,
            Recipients::Holding(permission) => permissions::for_role(role).contains(&permission),
        };
        if !concerned {
            continue;
        }
        diesel::insert_into(notifications::table)
            .values((
                notifications::merchant_id.eq(merchant_id),
                notifications::staff_user_id.eq(staff_id),
                notifications::kind.eq(notice.kind),
                notifications::title_zh.eq(notice.title.zh.as_ref()),
                notifications::title_en.eq(notice.title.en.as_ref()),
                notifications::body_zh.eq(notice.body.zh.as_ref()),
                notifications::body_en.eq(notice.body.en.as_ref()),
                notifications::target_type.eq(notice.target.as_ref().map(|t| t.0)),
                notifications::target_id.eq(notice.target.as_ref().map(|t| t.1.as_str())),
                notifications::data.eq(&data),
                notifications::created_at.eq(now),
            ))
            .execute(conn)?;
        sent += 1;
    }
    Ok(sent)
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    #[schema(example = "low_stock")]
    pub kind: String,
    /// In the language the request asked for.
    pub title: String,
    pub body: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// The facts behind the texts (ids, figures).
    #[schema(value_type = Object)]
    pub data: Value,
    /// When the reader marked it read; absent while unread.
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only unread notifications.
    pub unread: Option<bool>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NotificationPage {
    /// Newest first.
    pub items: Vec<Notification>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MarkedRead {
    /// How many notifications this call marked read.
    pub marked: i64,
}

/// Whose inbox: a staff member of a merchant.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    pub merchant_id: i64,
    pub staff_id: i64,
}

type NotificationRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<NaiveDateTime>,
    NaiveDateTime,
);

macro_rules! inbox_of {
    ($reader:expr) => {
        notifications::table
            .filter(notifications::merchant_id.eq($reader.merchant_id))
            .filter(notifications::staff_user_id.eq($reader.staff_id))
    };
}

macro_rules! notification_columns {
    () => {
        (
            notifications::id,
            notifications::kind,
            notifications::title_zh,
            notifications::title_en,
            notifications::body_zh,
            notifications::body_en,
            notifications::target_type,
            notifications::target_id,
            notifications::data,
            notifications::read_at,
            notifications::created_at,
        )
    };
}

fn to_notification(row: NotificationRow, lang: Lang) -> Notification {
    let (title, body) = match lang {
        Lang::ZhCn => (row.2, row.4),
        Lang::En => (row.3, row.5),
    };
    Notification {
        id: row.0,
        kind: row.1,
        title,
        body,
        target_type: row.6,
        target_id: row.7,
        data: serde_json::from_str(&row.8).unwrap_or(Value::Null),
        read_at: row.9.map(clock::to_utc),
        created_at: clock::to_utc(row.10),
    }
}

/// The reader's notifications, newest first, in pages keyed by id.
pub fn list(
    conn: &mut DbConnection,
    reader: Reader,
    query: &NotificationQuery,
    lang: Lang,
) -> AppResult<NotificationPage> {
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(AppError::field(
            "limit",
            ErrorCode::Range
                .form("between")
                .arg("min", 1)
                .arg("max", 100),
        ));
    }
    let mut q = inbox_of!(reader)
        .select(notification_columns!())
        .into_boxed();
    if query.unread == Some(true) {
        q = q.filter(notifications::read_at.is_null());
    }
    if let Some(cursor) = query.cursor {
        q = q.filter(notifications::id.lt(cursor));
    }
    let mut rows: Vec<NotificationRow> = q
        .order(notifications::id.desc())
        .limit(limit + 1)
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|r| r.0) } else { None };
    Ok(NotificationPage {
        items: rows.into_iter().map(|r| to_notification(r, lang)).collect(),
        next_cursor,
    })
}

pub fn unread_count(conn: &mut DbConnection, reader: Reader) -> AppResult<UnreadCount> {
    let unread: i64 = inbox_of!(reader)
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(UnreadCount { unread })
}

/// Marks one of the reader's notifications read (again: a no-op that keeps the first time).
/// Anyone else's notification is "not found".
pub fn mark_read(
    conn: &mut DbConnection,
    reader: Reader,
    id: i64,
    lang: Lang,
    now: NaiveDateTime,
) -> AppResult<Notification> {
    diesel::update(
        inbox_of!(reader)
            .filter(notifications::id.eq(id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)?;
    let row: NotificationRow = inbox_of!(reader)
        .filter(notifications::id.eq(id))
        .select(notification_columns!())
        .first(conn)?;
    Ok(to_notification(row, lang))
}

/// Marks every unread notification of the reader read, in one statement.
pub fn mark_all_read(
    conn: &mut DbConnection,
    reader: Reader,
    now: NaiveDateTime,
) -> AppResult<MarkedRead> {
    let marked = diesel::update(inbox_of!(reader).filter(notifications::read_at.is_null()))
        .set(notifications::read_at.eq(now))
        .execute(conn)?;
    Ok(MarkedRead {
        marked: marked as i64,
    })
}
