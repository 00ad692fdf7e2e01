//! HTTP routes of the inboxes. Every staff role holds `merchant.read`, so that is what the staff
//! routes demand; the inbox belongs to a person, so an API key (which has none) is refused. A
//! shop's member reads their own under `/shops/{slug}/me/notifications`.

use actix_web::{get, post, web};

use super::inbox::{
    self, MarkedRead, Notification, NotificationPage, NotificationQuery, Reader, UnreadCount,
};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::{Allowed, Caller, Principal};
use crate::clock;
use crate::error::{AppError, AppResult, ErrorCode, ProblemBody};
use crate::http::RequestLang;
use crate::shop::ShopMember;

fn reader(p: &Principal) -> AppResult<Reader> {
    match p.caller {
        Caller::Staff { .. } => Ok(Reader::staff(p.tenant()?, p.id)),
        _ => Err(AppError::refused(ErrorCode::WrongAccountKind.form("inbox"))),
    }
}

/// List my notifications
///
/// The signed-in staff member's own notifications, newest first, in pages (`next_cursor`).
/// Staff only: an API key has no inbox (403 `wrong_account_kind`).
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(NotificationQuery),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/notifications")]
pub async fn list_notifications(
    caller: Allowed<need::MerchantRead>,
    state: web::Data<AppState>,
    query: web::Query<NotificationQuery>,
    lang: RequestLang,
) -> AppResult<web::Json<NotificationPage>> {
    let reader = reader(&caller.0)?;
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| inbox::list(conn, reader, &query, lang.0))
            .await?,
    ))
}

/// Count my unread notifications
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The number of unread notifications", body = UnreadCount),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/notifications/unread-count")]
pub async fn count_unread_notifications(
    caller: Allowed<need::MerchantRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<UnreadCount>> {
    let reader = reader(&caller.0)?;
    Ok(web::Json(
        state
            .db(move |conn| inbox::unread_count(conn, reader))
            .await?,
    ))
}

/// Mark a notification read
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("notification_id" = i64, Path)),
    responses(
        (status = 200, description = "The notification, read", body = Notification),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such notification in the caller's inbox", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/notifications/{notification_id}/read")]
pub async fn mark_notification_read(
    caller: Allowed<need::MerchantRead>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    lang: RequestLang,
) -> AppResult<web::Json<Notification>> {
    let reader = reader(&caller.0)?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| inbox::mark_read(conn, reader, id, lang.0, clock::now()))
            .await?,
    ))
}

/// Mark all my notifications read
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How many were marked", body = MarkedRead),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/notifications/read-all")]
pub async fn mark_all_notifications_read(
    caller: Allowed<need::MerchantRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<MarkedRead>> {
    let reader = reader(&caller.0)?;
    Ok(web::Json(
        state
            .db(move |conn| inbox::mark_all_read(conn, reader, clock::now()))
            .await?,
    ))
}

/// List my messages (member)
///
/// The signed-in member's messages from the shop, newest first, in pages (`next_cursor`): their
/// orders shipped, ready to collect, delivered, after-sales decided, refunded. Each names its
/// order (`target_type` `order`).
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), NotificationQuery),
    responses(
        (status = 200, description = "A page of messages", body = NotificationPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members of the shop only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/notifications")]
pub async fn list_my_messages(
    member: ShopMember,
    state: web::Data<AppState>,
    query: web::Query<NotificationQuery>,
    lang: RequestLang,
) -> AppResult<web::Json<NotificationPage>> {
    let reader = Reader::member(member.merchant_id, member.member_id());
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| inbox::list(conn, reader, &query, lang.0))
            .await?,
    ))
}

/// Count my unread messages (member)
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The number of unread messages", body = UnreadCount),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members of the shop only", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/notifications/unread-count")]
pub async fn count_my_unread_messages(
    member: ShopMember,
    state: web::Data<AppState>,
) -> AppResult<web::Json<UnreadCount>> {
    let reader = Reader::member(member.merchant_id, member.member_id());
    Ok(web::Json(
        state
            .db(move |conn| inbox::unread_count(conn, reader))
            .await?,
    ))
}

/// Mark a message read (member)
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("notification_id" = i64, Path)),
    responses(
        (status = 200, description = "The message, read", body = Notification),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members of the shop only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such message in the member's inbox", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/notifications/{notification_id}/read")]
pub async fn mark_my_message_read(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    lang: RequestLang,
) -> AppResult<web::Json<Notification>> {
    let reader = Reader::member(member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| inbox::mark_read(conn, reader, id, lang.0, clock::now()))
            .await?,
    ))
}

/// Mark all my messages read (member)
#[utoipa::path(
    tag = "notifications",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "How many were marked", body = MarkedRead),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members of the shop only", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/notifications/read-all")]
pub async fn mark_all_my_messages_read(
    member: ShopMember,
    state: web::Data<AppState>,
) -> AppResult<web::Json<MarkedRead>> {
    let reader = Reader::member(member.merchant_id, member.member_id());
    Ok(web::Json(
        state
            .db(move |conn| inbox::mark_all_read(conn, reader, clock::now()))
            .await?,
    ))
}
