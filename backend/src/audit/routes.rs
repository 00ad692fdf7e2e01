//! HTTP routes of the audit log.

use actix_web::{get, web};

use super::{AuditPage, AuditQuery};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::error::{AppResult, ProblemBody};

/// Search the audit log
///
/// The merchant's events, newest first, in pages (`next_cursor`).
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of events", body = AuditPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `audit.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/audit-events")]
pub async fn search_audit_events(
    state: web::Data<AppState>,
    caller: Allowed<need::AuditRead>,
    query: web::Query<AuditQuery>,
) -> AppResult<web::Json<AuditPage>> {
    let p = caller.0;
    let merchant_id = p.tenant()?;
    let query = query.into_inner();
    let page = state
        .db(move |conn| super::search(conn, merchant_id, &query))
        .await?;
    Ok(web::Json(page))
}
