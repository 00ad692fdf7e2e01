//! HTTP routes of the platform operator.

use actix_web::{get, post, web};

use super::merchants::{self, MerchantQuery, StatusChangeRequest};
use crate::app::AppState;
use crate::auth::principal::OperatorCaller;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;
use crate::notify::outbox_view::{self, OutboxMessage, OutboxQuery};
use crate::tenancy::lifecycle::MerchantAction;
use crate::tenancy::merchant::MerchantView;

/// Messages in the outbox
///
/// Email and SMS messages, newest first, with their texts: where operators read them when no
/// mail server is configured.
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(OutboxQuery),
    responses(
        (status = 200, description = "Messages", body = [OutboxMessage]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/platform/outbox")]
pub async fn list_outbox(
    state: web::Data<AppState>,
    _operator: OperatorCaller,
    query: web::Query<OutboxQuery>,
) -> AppResult<web::Json<Vec<OutboxMessage>>> {
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| outbox_view::search(conn, &query))
            .await?,
    ))
}

/// List merchants
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(MerchantQuery),
    responses(
        (status = 200, description = "Merchants by id", body = [MerchantView]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/platform/merchants")]
pub async fn list_merchants(
    state: web::Data<AppState>,
    _operator: OperatorCaller,
    query: web::Query<MerchantQuery>,
) -> AppResult<web::Json<Vec<MerchantView>>> {
    let query = query.into_inner();
    Ok(web::Json(
        state.db(move |conn| merchants::list(conn, &query)).await?,
    ))
}

async fn change(
    state: web::Data<AppState>,
    operator: OperatorCaller,
    merchant_id: i64,
    action: MerchantAction,
    body: StatusChangeRequest,
) -> AppResult<web::Json<MerchantView>> {
    let p = operator.0;
    Ok(web::Json(
        state
            .db(move |conn| {
                merchants::change_status(
                    conn,
                    &p,
                    merchant_id,
                    action,
                    body.reason.as_deref(),
                    clock::now(),
                )
            })
            .await?,
    ))
}

/// Approve a merchant
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(("merchant_id" = i64, Path)),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, description = "Active", body = MerchantView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/platform/merchants/{merchant_id}/approve")]
pub async fn approve_merchant(
    state: web::Data<AppState>,
    operator: OperatorCaller,
    path: web::Path<i64>,
    body: ApiJson<StatusChangeRequest>,
) -> AppResult<web::Json<MerchantView>> {
    change(
        state,
        operator,
        path.into_inner(),
        MerchantAction::Approve,
        body.into_inner(),
    )
    .await
}

/// Suspend a merchant
///
/// Its staff and API keys are refused (`merchant_suspended`) until it is reactivated.
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(("merchant_id" = i64, Path)),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, description = "Suspended", body = MerchantView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/platform/merchants/{merchant_id}/suspend")]
pub async fn suspend_merchant(
    state: web::Data<AppState>,
    operator: OperatorCaller,
    path: web::Path<i64>,
    body: ApiJson<StatusChangeRequest>,
) -> AppResult<web::Json<MerchantView>> {
    change(
        state,
        operator,
        path.into_inner(),
        MerchantAction::Suspend,
        body.into_inner(),
    )
    .await
}

/// Reactivate a suspended merchant
#[utoipa::path(
    tag = "platform",
    security(("bearer" = [])),
    params(("merchant_id" = i64, Path)),
    request_body = StatusChangeRequest,
    responses(
        (status = 200, description = "Active again", body = MerchantView),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Operators only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/platform/merchants/{merchant_id}/reactivate")]
pub async fn reactivate_merchant(
    state: web::Data<AppState>,
    operator: OperatorCaller,
    path: web::Path<i64>,
    body: ApiJson<StatusChangeRequest>,
) -> AppResult<web::Json<MerchantView>> {
    change(
        state,
        operator,
        path.into_inner(),
        MerchantAction::Reactivate,
        body.into_inner(),
    )
    .await
}
