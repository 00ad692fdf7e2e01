//! The in-app inboxes of merchant staff and of the shop's members. A feature that has something to
//! tell a merchant's people calls `notify_staff` inside its own transaction (so a notice is never
//! shown for a change that rolled back); each active staff member concerned gets a row of their
//! own, which they read and mark as read independently. A buyer is told with `notify_member` the
//! same way. Texts are kept in both languages and answered in the reader's.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::account::AccountStatus;
use crate::auth::permissions::{self, Permission};
use crate::clock;
use crate::db::ids::{MemberId, MerchantId};
use crate::db::schema::{notifications, staff_users};
use crate::db::{DbConnection, MultiBackend};
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

/// A staff member and their role.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = staff_users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct StaffRoleRow {
    id: i64,
    role: StaffRole,
}

/// Gives every active staff member of the merchant concerned a copy of the notice. Runs in the
/// caller's transaction. Answers how many were notified.
pub fn notify_staff(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    recipients: Recipients,
    notice: &Notice,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let staff: Vec<StaffRoleRow> = staff_users::table
        .filter(staff_users::merchant_id.eq(merchant_id))
        .filter(staff_users::status.eq(AccountStatus::Active))
        .order(staff_users::id.asc())
        .select(StaffRoleRow::as_select())
        .load(conn)?;
    let mut sent = 0;
    for staff in staff {
        let concerned = match recipients {
            Recipients::AllStaff => true,
            Recipients::Holding(permission) => {
                permissions::for_role(staff.role).contains(&permission)
            }
        };
        if !concerned {
            continue;
        }
        deliver(conn, merchant_id, InboxOwner::Staff(staff.id), notice, now)?;
        sent += 1;
    }
    Ok(sent)
}

/// Gives the member (a buyer of the merchant's shop) the notice, in the caller's transaction.
pub fn notify_member(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    notice: &Notice,
    now: NaiveDateTime,
) -> AppResult<()> {
    deliver(
        conn,
        merchant_id,
        InboxOwner::Member(member_id),
        notice,
        now,
    )
}

/// One copy of the notice in one inbox.
fn deliver(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    owner: InboxOwner,
    notice: &Notice,
    now: NaiveDateTime,
) -> AppResult<()> {
    let data = notice.data.to_string();
    let (target_type, target_id) = match &notice.target {
        Some((kind, id)) => (Some(*kind), Some(id.as_str())),
        None => (None, None),
    };
    let (staff_user_id, member_id) = match owner {
        InboxOwner::Staff(id) => (Some(id), None),
        InboxOwner::Member(id) => (None, Some(id)),
    };
    diesel::insert_into(notifications::table)
        .values(NotificationInsertForm {
            merchant_id,
            staff_user_id,
            member_id,
            kind: notice.kind,
            title_zh: notice.title.zh.as_ref(),
            title_en: notice.title.en.as_ref(),
            body_zh: notice.body.zh.as_ref(),
            body_en: notice.body.en.as_ref(),
            target_type,
            target_id,
            data: &data,
            created_at: now,
        })
        .execute(conn)?;
    Ok(())
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

/// Whose inbox: a staff member of a merchant, or a member of its shop.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    pub merchant_id: MerchantId,
    pub owner: InboxOwner,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxOwner {
    Staff(i64),
    Member(MemberId),
}

impl Reader {
    pub fn staff(merchant_id: MerchantId, staff_id: i64) -> Reader {
        Reader {
            merchant_id,
            owner: InboxOwner::Staff(staff_id),
        }
    }

    pub fn member(merchant_id: MerchantId, member_id: MemberId) -> Reader {
        Reader {
            merchant_id,
            owner: InboxOwner::Member(member_id),
        }
    }
}

/// A row of `notifications` (without its tenant and reader).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct NotificationRow {
    id: i64,
    kind: String,
    title_zh: String,
    title_en: String,
    body_zh: String,
    body_en: String,
    target_type: Option<String>,
    target_id: Option<String>,
    /// A JSON object.
    data: String,
    read_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// A notice for one staff member.
#[derive(Debug, Insertable)]
#[diesel(table_name = notifications)]
#[diesel(treat_none_as_default_value = false)]
struct NotificationInsertForm<'a> {
    merchant_id: MerchantId,
    staff_user_id: Option<i64>,
    member_id: Option<MemberId>,
    kind: &'a str,
    title_zh: &'a str,
    title_en: &'a str,
    body_zh: &'a str,
    body_en: &'a str,
    target_type: Option<&'a str>,
    target_id: Option<&'a str>,
    data: &'a str,
    created_at: NaiveDateTime,
}

/// The reader's notifications.
fn in_inbox(reader: Reader) -> notifications::BoxedQuery<'static, MultiBackend> {
    let q = notifications::table
        .filter(notifications::merchant_id.eq(reader.merchant_id))
        .into_boxed();
    match reader.owner {
        InboxOwner::Staff(id) => q.filter(notifications::staff_user_id.eq(id)),
        InboxOwner::Member(id) => q.filter(notifications::member_id.eq(id)),
    }
}

fn to_notification(row: NotificationRow, lang: Lang) -> Notification {
    let (title, body) = match lang {
        Lang::ZhCn => (row.title_zh, row.body_zh),
        Lang::En => (row.title_en, row.body_en),
    };
    Notification {
        id: row.id,
        kind: row.kind,
        title,
        body,
        target_type: row.target_type,
        target_id: row.target_id,
        data: serde_json::from_str(&row.data).unwrap_or(Value::Null),
        read_at: row.read_at.map(clock::to_utc),
        created_at: clock::to_utc(row.created_at),
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
    let mut q = in_inbox(reader).select(NotificationRow::as_select());
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
    let next_cursor = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(NotificationPage {
        items: rows.into_iter().map(|r| to_notification(r, lang)).collect(),
        next_cursor,
    })
}

pub fn unread_count(conn: &mut DbConnection, reader: Reader) -> AppResult<UnreadCount> {
    let unread: i64 = in_inbox(reader)
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
    let row: NotificationRow = in_inbox(reader)
        .filter(notifications::id.eq(id))
        .select(NotificationRow::as_select())
        .first(conn)?;
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(row.id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(now))
    .execute(conn)?;
    let row: NotificationRow = notifications::table
        .find(row.id)
        .select(NotificationRow::as_select())
        .first(conn)?;
    Ok(to_notification(row, lang))
}

/// Marks every unread notification of the reader read, in one statement.
pub fn mark_all_read(
    conn: &mut DbConnection,
    reader: Reader,
    now: NaiveDateTime,
) -> AppResult<MarkedRead> {
    let unread = notifications::table
        .filter(notifications::merchant_id.eq(reader.merchant_id))
        .filter(notifications::read_at.is_null());
    let marked = match reader.owner {
        InboxOwner::Staff(id) => diesel::update(unread.filter(notifications::staff_user_id.eq(id)))
            .set(notifications::read_at.eq(now))
            .execute(conn)?,
        InboxOwner::Member(id) => diesel::update(unread.filter(notifications::member_id.eq(id)))
            .set(notifications::read_at.eq(now))
            .execute(conn)?,
    };
    Ok(MarkedRead {
        marked: marked as i64,
    })
}
