//! HTTP routes of the staff inbox. Every staff role holds `merchant.read`, so that is what the
//! routes demand; the inbox belongs to a person, so an API key (which has none) is refused.

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

fn reader(p: &Principal) -> AppResult<Reader> {
    match p.caller {
        Caller::Staff { .. } => Ok(Reader {
            merchant_id: p.tenant()?,
            staff_id: p.id,
        }),
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
